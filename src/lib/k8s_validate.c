/* wlsimg: Kubernetes name and key validation (DNS-1123 names, label values, Secret keys). See
 * k8s.h. */
#include "lib/k8s.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"

/* ---------------------------------------------------------------- validation */

static const char subdomain_rule[] =
    "must be a lowercase RFC 1123 subdomain: lower case alphanumeric characters, '-' or '.', "
    "starting and ending with an alphanumeric character, at most 253 characters (e.g. 'example.com')";
static const char label_rule[] =
    "must be a lowercase RFC 1123 label: lower case alphanumeric characters or '-', starting and "
    "ending with an alphanumeric character, at most 63 characters (e.g. 'my-name')";

static bool
is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One DNS-1123 label of len bytes. */
static bool
label_ok(const char *s, size_t len)
{
  if (len == 0 || len > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!is_lower_alnum(s[i]) && s[i] != '-')
      return false;
  return true;
}

int
wi_k8s_validate_subdomain(const char *what, const char *s, wi_err *err)
{
  size_t len = s ? strlen(s) : 0;
  bool ok = len > 0 && len <= 253;

  for (const char *p = s; ok && p;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    ok = label_ok(p, n);
    p = dot ? dot + 1 : NULL;
  }
  if (!ok)
    return wi_err_set(err, WI_EINVAL, "invalid %s \"%s\": %s", what, s ? s : "", subdomain_rule);
  return 0;
}

int
wi_k8s_validate_label(const char *what, const char *s, wi_err *err)
{
  if (s == NULL || !label_ok(s, strlen(s)))
    return wi_err_set(err, WI_EINVAL, "invalid %s \"%s\": %s", what, s ? s : "", label_rule);
  return 0;
}

static bool
is_alnum(char c)
{
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

int
wi_k8s_validate_label_value(const char *what, const char *s, wi_err *err)
{
  size_t len = strlen(s);
  bool ok = len <= 63 && (len == 0 || (is_alnum(s[0]) && is_alnum(s[len - 1])));

  for (size_t i = 0; ok && i < len; i++)
    ok = is_alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
  if (!ok)
    return wi_err_set(err, WI_EINVAL,
                      "invalid %s \"%s\": a label value has at most 63 characters: alphanumerics, "
                      "'-', '_' or '.', starting and ending with an alphanumeric character",
                      what, s);
  return 0;
}

int
wi_k8s_validate_secret_key(const char *what, const char *s, wi_err *err)
{
  size_t len = strlen(s);
  bool ok = len > 0 && len <= 253 && strcmp(s, ".") != 0 && strncmp(s, "..", 2) != 0;

  for (size_t i = 0; ok && i < len; i++)
    ok = is_alnum(s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.';
  if (!ok)
    return wi_err_set(err, WI_EINVAL,
                      "invalid %s \"%s\": a secret key consists of alphanumeric characters, '-', "
                      "'_' or '.' (at most 253, not '.' or starting with '..')",
                      what, s);
  return 0;
}

int
wi_k8s_validate_domain_uid(const char *s, wi_err *err)
{
  size_t len = s ? strlen(s) : 0;
  wi_err e = { 0 };

  if (len > WI_K8S_MAX_DOMAIN_UID)
    return wi_err_set(err, WI_EINVAL,
                      "invalid domain UID \"%s\": %zu characters; the operator allows at most %d "
                      "(^[a-z0-9-.]{1,%d}$)",
                      s, len, WI_K8S_MAX_DOMAIN_UID, WI_K8S_MAX_DOMAIN_UID);
  /* The operator's pattern, and the UID is also the Domain's name (a DNS-1123 subdomain). */
  if (wi_k8s_validate_subdomain("domain UID", s, &e) < 0)
    return wi_err_set(err, WI_EINVAL,
                      "invalid domain UID \"%s\": at most %d characters: lower case alphanumeric "
                      "characters, '-' or '.', starting and ending with an alphanumeric character "
                      "(the operator's ^[a-z0-9-.]{1,%d}$; it is also the Domain's name)",
                      s ? s : "", WI_K8S_MAX_DOMAIN_UID, WI_K8S_MAX_DOMAIN_UID);
  return 0;
}

int
wi_k8s_validate_env_name(const char *what, const char *s, wi_err *err)
{
  bool ok = s[0] != '\0' && !(s[0] >= '0' && s[0] <= '9');

  for (const char *p = s; ok && *p; p++)
    ok = is_alnum(*p) || *p == '-' || *p == '_' || *p == '.';
  if (!ok)
    return wi_err_set(err, WI_EINVAL,
                      "\"%s\" is not a valid %s: a valid environment variable name must consist "
                      "of alphabetic characters, digits, '_', '-', or '.', and must not start with "
                      "a digit (regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
                      s, what);
  return 0;
}

int
wi_k8s_validate_abs_path(const char *what, const char *s, wi_err *err)
{
  if (s[0] != '/' || strpbrk(s, "\n\r"))
    return wi_err_set(err, WI_EINVAL, "invalid %s \"%s\": expected an absolute path", what, s);
  return 0;
}
