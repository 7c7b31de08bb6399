/* Unit tests for src/lib/ui_jobs.c: one job at a time, recorded events and their replay,
 * redaction, prompts, cancellation and the fallback result. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "lib/alloc.h"
#include "lib/base64.h"
#include "lib/fs.h"
#include "lib/str.h"
#include "lib/ui_jobs.h"
#include "lib/util.h"

/* Every event of a job until it ends, concatenated. malloc'ed. */
static char *
drain(struct wi_ui_job *j, size_t from)
{
  char *all = wi_xstrdup("");
  char *ev = NULL;
  int r;
  while ((r = wi_ui_jobs_event(j, from, 5000, &ev)) != -1) {
    if (r == 1) {
      char *n = wi_xasprintf("%s%s", all, ev);
      free(all);
      free(ev);
      all = n;
      from++;
    }
  }
  return all;
}

static int
job_secretive(struct wi_ui_job *j, void *payload, wi_err *err)
{
  WI_UNUSED(payload);
  WI_UNUSED(err);
  wi_ui_jobs_add_secret(j, "hunter2-token");
  wi_ui_jobs_step(j, 1, 1, "login", "Log in", "running");
  wi_ui_jobs_log(j, "info", "sending hunter2-token now");
  wi_ui_jobs_log(j, "info", "Authorization: Basic dXNlcjpwYXNz");
  wi_ui_jobs_emit(j, "result", "{\"ok\":true,\"title\":\"x\",\"echo\":\"hunter2-token\"}");
  return 0;
}

TEST(events_replay_and_redaction)
{
  struct wi_ui_jobs *t = NULL;
  wi_err err = { 0 };
  char id[WI_UI_JOB_ID_MAX];
  wi_ui_jobs_new(&t);
  CHECK_INT_EQ(wi_ui_jobs_start(t, "test", job_secretive, NULL, NULL, id, NULL, NULL, &err), 0);
  struct wi_ui_job *j = wi_ui_jobs_get(t, id);
  CHECK(j != NULL);
  wi_autofree char *a = drain(j, 0);
  wi_autofree char *b = drain(j, 0);
  CHECK_STR_EQ(a, b); /* a reconnect gets the same stream */
  CHECK_STR_HAS(a, "id: 1\nevent: step\ndata: {\"index\":1,\"total\":1,\"id\":\"login\"");
  CHECK_STR_HAS(a, "sending *** now");
  CHECK_STR_HAS(a, "Authorization: ***");
  CHECK(strstr(a, "hunter2") == NULL);
  CHECK(strstr(a, "dXNlcjpwYXNz") == NULL);
  wi_autofree char *after = drain(j, wi_ui_jobs_event_after("3"));
  CHECK(strncmp(after, "id: 4\n", 6) == 0);
  wi_autofree char *log = wi_ui_jobs_log_text(j);
  CHECK(strstr(log, "hunter2") == NULL);
  CHECK_STR_HAS(log, "sending *** now");
  wi_autofree char *d = wi_ui_jobs_describe(j);
  CHECK_STR_HAS(d, "\"state\":\"done\"");
  CHECK(strstr(d, "hunter2") == NULL);
  CHECK(!wi_ui_jobs_cancel(j)); /* already ended */
  wi_ui_jobs_put(j);
  CHECK(wi_ui_jobs_get(t, "j999") == NULL);
  wi_ui_jobs_free(t);
}

static int
job_asks(struct wi_ui_job *j, void *payload, wi_err *err)
{
  static const char *const opts[] = { "No", "Yes" };
  char **answer = payload;
  return wi_ui_jobs_prompt(j, "p1", "Title", "Question?", opts, 2, "No", answer, err);
}

/* Wait until job j has emitted n events. */
static void
wait_events(struct wi_ui_job *j, size_t n)
{
  char *ev = NULL;
  for (int i = 0; i < 500 && wi_ui_jobs_event(j, n - 1, 10, &ev) != 1; i++)
    ;
  free(ev);
}

TEST(prompt_answer_and_busy)
{
  struct wi_ui_jobs *t = NULL;
  wi_err err = { 0 };
  char id[WI_UI_JOB_ID_MAX], running[WI_UI_JOB_ID_MAX], id2[WI_UI_JOB_ID_MAX];
  char *running_type = NULL;
  char *answer = NULL;
  wi_ui_jobs_new(&t);
  CHECK_INT_EQ(wi_ui_jobs_start(t, "asks", job_asks, &answer, NULL, id, NULL, NULL, &err), 0);
  struct wi_ui_job *j = wi_ui_jobs_get(t, id);
  wait_events(j, 1);
  CHECK(wi_ui_jobs_running(t));
  CHECK_INT_EQ(
      wi_ui_jobs_start(t, "other", job_asks, NULL, NULL, id2, running, &running_type, &err),
      WI_EEXISTS);
  CHECK_STR_EQ(running, id);
  CHECK_STR_EQ(running_type, "asks");
  CHECK_INT_EQ(wi_ui_jobs_answer(j, "p2", "Yes", &err), WI_ENOTFOUND);
  CHECK_INT_EQ(wi_ui_jobs_answer(j, "p1", "Yes", &err), 0);
  wi_autofree char *all = drain(j, 0);
  CHECK_STR_HAS(all, "event: prompt\ndata: {\"id\":\"p1\",\"title\":\"Title\"");
  CHECK_STR_HAS(all, "event: result\ndata: {\"ok\":true"); /* the fallback result */
  CHECK_STR_EQ(answer, "Yes");
  free(answer);
  CHECK(!wi_ui_jobs_running(t));
  wi_ui_jobs_put(j);
  wi_ui_jobs_free(t);
}

TEST(cancel_wakes_a_prompt)
{
  struct wi_ui_jobs *t = NULL;
  wi_err err = { 0 };
  char id[WI_UI_JOB_ID_MAX];
  char *answer = NULL;
  wi_ui_jobs_new(&t);
  CHECK_INT_EQ(wi_ui_jobs_start(t, "asks", job_asks, &answer, NULL, id, NULL, NULL, &err), 0);
  struct wi_ui_job *j = wi_ui_jobs_get(t, id);
  wait_events(j, 1);
  CHECK(wi_ui_jobs_cancel(j));
  CHECK(*wi_ui_jobs_cancel_flag(j) != 0);
  wi_autofree char *all = drain(j, 0);
  CHECK_STR_HAS(all, "\"ok\":false");
  CHECK_STR_HAS(all, "cancelled by user");
  wi_autofree char *d = wi_ui_jobs_describe(j);
  CHECK_STR_HAS(d, "\"state\":\"cancelled\"");
  CHECK(answer == NULL);
  wi_ui_jobs_put(j);
  wi_autofree char *list = wi_ui_jobs_list(t);
  CHECK(list[0] == '[');
  CHECK_STR_HAS(list, id);
  wi_ui_jobs_free(t);
}

static int
job_quick(struct wi_ui_job *j, void *payload, wi_err *err)
{
  WI_UNUSED(j);
  WI_UNUSED(payload);
  return wi_err_set(err, WI_EIO, "disk on fire");
}

static void
count_free(void *p)
{
  (*(int *)p)++;
}

TEST(old_jobs_are_dropped)
{
  struct wi_ui_jobs *t = NULL;
  wi_err err = { 0 };
  char id[WI_UI_JOB_ID_MAX];
  int freed = 0;
  wi_ui_jobs_new(&t);
  for (int i = 0; i < WI_UI_JOBS_KEEP + 3; i++) {
    while (wi_ui_jobs_running(t))
      usleep(1000);
    CHECK_INT_EQ(wi_ui_jobs_start(t, "q", job_quick, &freed, count_free, id, NULL, NULL, &err), 0);
  }
  while (wi_ui_jobs_running(t))
    usleep(1000);
  CHECK_INT_EQ(freed, 3);
  struct wi_ui_job *j = wi_ui_jobs_get(t, id);
  wi_autofree char *d = wi_ui_jobs_describe(j);
  CHECK_STR_HAS(d, "\"state\":\"failed\"");
  CHECK_STR_HAS(d, "disk on fire");
  wi_ui_jobs_put(j);
  wi_ui_jobs_free(t);
  CHECK_INT_EQ(freed, WI_UI_JOBS_KEEP + 3);
}

int
main(void)
{
  RUN(events_replay_and_redaction);
  RUN(prompt_answer_and_busy);
  RUN(cancel_wakes_a_prompt);
  RUN(old_jobs_are_dropped);
  DONE();
}
