// Every field of the Design Views: id (its data-testid, and the field name validation findings use),
// label (the lab's words), where its value lives in the project (path), help, and when it shows.
// The panels are rendered from this table, so every control has a label and an inline error slot.
const enterLogin = "__enter__";
export const ENTER_LOGIN = enterLogin;

const auxCreate = (p) => p.image.auxConfig === "create";
const primaryCreate = (p) => p.image.primary.create.enabled;
const patching = (p) => { const c = p.image.primary.create; return c.patches.length > 0 || c.recommendedPatches || c.latestPSU; };
// WIT's --type values and package managers, in its order
const INSTALLER_TYPES = ["WLS", "WLSSLIM", "WLSDEV", "FMW", "OSB", "SOA", "SOA_OSB", "SOA_OSB_B2B", "MFT", "IDM", "IDM_WLS", "OAM", "OIG", "OUD", "OUD_WLS", "OID", "WCC", "WCP", "WCS", "OHS", "ODI"];
const PACKAGE_MANAGERS = ["OS_DEFAULT", "NONE", "YUM", "DNF", "MICRODNF", "MICRODNF_8", "APTGET", "APK", "ZYPPER"];
const pushTyped = (p, s) => p.image.aux.pushAuth && s.pushCred === enterLogin;

export const PANELS = [
  { page: "project", title: "Project", fields: [
    { id: "project-path", label: "Project file", type: "ro", value: (p, s) => s.info.projectFile, help: "Where the project is saved; relative paths are relative to its directory." },
    { id: "project-name", label: "Project name", path: "project.name" },
    { id: "target-location", label: "Target Domain Location", type: "select", fixed: true, options: [["mii", "Model-in-Image with Auxiliary Image"], ["pv", "Domain on Persistent Volume (not yet)", true]], help: "The operator builds the domain at runtime from the model in the auxiliary image." },
    { id: "platforms", label: "Target cluster architecture", type: "platforms", path: "image.platforms", help: "Maps to --platform; both builds a multi-architecture index." },
    { id: "store", label: "Image store", type: "ro", value: (p, s) => s.info.store, help: "Where built images go ($WLSIMG_STORE)." },
    { id: "cache", label: "WIT installer cache", type: "ro", value: (p, s) => s.info.cache, help: "WDT installers live here ($WLSIMG_CACHEDIR); there is no download-folder prompt." },
    { id: "secret-policy", label: "Credential storage", type: "radio", path: "project.secretPolicy", options: [["loginFile", "Use my registry login file (credential helper, or the 0600 auth file)"], ["session", "This session only"]], help: "Without a credential helper the login file holds the token base64-encoded, not encrypted." },
  ] },
  { page: "model", title: "Model files", fields: [
    { id: "model-files", label: "Model Files", type: "list", path: "model.files", help: "--wdtModel, in order (later files win)." },
    { id: "variable-files", label: "Variable Files", type: "list", path: "model.variables", help: "--wdtVariables: Java properties for @@PROP:name@@." },
    { id: "archive-files", label: "Archive Files", type: "list", path: "model.archives", help: "--wdtArchive: zips with the wlsdeploy/ paths the model names." },
  ] },
  { page: "image", tab: "primary", title: "Primary Image", fields: [
    { id: "primary-tag", label: "Primary Image Tag", path: "image.primary.tag", help: "The WebLogic image the domain runs (spec.image)." },
    { id: "primary-host", label: "Primary Image Registry Host", type: "ro", value: (p) => hostOf(p.image.primary.tag), help: "The registry the cluster pulls from." },
    { id: "primary-check", label: "Check in Registry", type: "button", action: "checkImage", help: "Reads the manifest: digest and platforms, or the registry's error with a hint." },
    { id: "create-primary", label: "Create New Primary Image", type: "checkbox", path: "image.primary.create.enabled", help: "Build the Primary Image Tag with wlsimg create (WIT-compatible) from a base image, a JDK and the Oracle installers in the WIT cache." },
    { id: "aux-config", label: "Auxiliary Image Configuration", type: "radio", path: "image.auxConfig", options: [["create", "Create a new auxiliary image using this project."], ["existing", "Use an existing auxiliary image created outside of this project so this project has no model."]], help: "\"Use existing\" disables the Auxiliary Image tab's build section but keeps the tag for the Domain." },
  ] },
  { page: "image", tab: "primary", title: "Create New Primary Image", show: primaryCreate, fields: [
    { id: "primary-from", label: "Base Image (--fromImage)", path: "image.primary.create.fromImage", placeholder: "ghcr.io/oracle/oraclelinux:8-slim", help: "Empty: WIT's default, Oracle Linux 8 slim. A base whose config has JAVA_HOME or ORACLE_HOME keeps its own JDK or Oracle Home." },
    { id: "primary-type", label: "Installer Type (--type)", type: "select", path: "image.primary.create.type", options: INSTALLER_TYPES.map((t) => [t, t]), help: "Which Oracle installers go in (WLS: WebLogic Server; FMW: Fusion Middleware Infrastructure; …)." },
    { id: "primary-version", label: "Installer Version (--version)", path: "image.primary.create.version", placeholder: "12.2.1.3.0", help: "The installers of this type and version must be in the WIT cache (wlsimg cache addInstaller)." },
    { id: "primary-jdk-version", label: "JDK Version (--jdkVersion)", path: "image.primary.create.jdkVersion", placeholder: "8u202", help: "The JDK installer in the WIT cache (type jdk)." },
    { id: "primary-builder", label: "Container Engine (--builder)", type: "select", path: "image.primary.create.builder", options: [["", "Automatic"]], help: "The engine that runs WIT's Dockerfile; the engines found on this machine are listed." },
    { id: "primary-pull", label: "Always Pull Base Image (--pull)", type: "checkbox", path: "image.primary.create.pull", help: "Fetch the base image from its registry again before the build." },
    { id: "primary-actions", label: "Primary image actions", type: "buttons", buttons: [["btn-preview-primary", "Preview Dockerfile", "secondary"], ["btn-create-primary", "Create Primary Image"], ["btn-push-primary", "Push Primary Image", "secondary"]], help: "Preview Dockerfile shows WIT's Dockerfile in the Code View (--dryRun); Create runs it through the engine and brings the image into the local store under the Primary Image Tag." },
    { id: "primary-push-login", label: "Push login", type: "ro", value: (p, s) => s.primaryLogin || "", help: "Push Primary Image uses the saved login for the tag's host (Registries page)." },
  ] },
  { page: "image", tab: "primary", title: "Patches", show: primaryCreate, fields: [
    { id: "primary-patches", label: "Patches (--patches)", type: "list", path: "image.primary.create.patches", nobrowse: true, placeholder: "12345678 or 12345678_12.2.1.4.0", help: "Patch ids; from the WIT cache, or downloaded from Oracle Support with the user below." },
    { id: "primary-recommended", label: "Apply Recommended Patches (--recommendedPatches)", type: "checkbox", path: "image.primary.create.recommendedPatches", help: "Oracle's recommended patches for the installers (needs Oracle Support)." },
    { id: "primary-latest-psu", label: "Apply the Latest PSU (--latestPSU)", type: "checkbox", path: "image.primary.create.latestPSU", help: "The latest Patch Set Update (needs Oracle Support)." },
    { id: "primary-support-user", label: "Oracle Support User (--user)", path: "image.primary.create.supportUser", autocomplete: "username", show: patching, help: "Your Oracle Support e-mail address; saved in the project." },
    { id: "primary-support-password", label: "Oracle Support Password", type: "password", show: (p) => patching(p) && !!p.image.primary.create.supportUser, help: "For this session only: sent with each create, never saved, never shown again." },
  ] },
  { page: "image", tab: "primary", title: "Advanced Build Options", advanced: true, show: primaryCreate, fields: [
    { id: "primary-owner", label: "File System Owner", path: "image.primary.create.owner", help: "--chown owner:group of the Oracle Home." },
    { id: "primary-group", label: "File System Group", path: "image.primary.create.group", help: "" },
    { id: "primary-package-manager", label: "Package Manager (--packageManager)", type: "select", path: "image.primary.create.packageManager", options: PACKAGE_MANAGERS.map((m) => [m, m]), help: "OS_DEFAULT: the one the base image's OS uses." },
    { id: "primary-openshift", label: "Make Image Compatible with OpenShift", type: "checkbox", path: "image.primary.create.openshift", help: "--target OpenShift" },
  ] },
  { page: "image", tab: "aux", title: "Configure the WebLogic Deploy Tooling Model Image", fields: [
    { id: "aux-tag", label: "Auxiliary Image Tag", path: "image.aux.tag", placeholder: "region.ocir.io/tenancy-namespace/repository:tag", help: "The new image with WDT and the model." },
    { id: "aux-host", label: "Auxiliary Image Registry Host", type: "ro", value: (p) => hostOf(p.image.aux.tag), help: "The registry the push logs in to, always taken from the tag." },
    { id: "aux-push-auth", label: "Specify Auxiliary Image Push Credentials", type: "checkbox", path: "image.aux.pushAuth", help: "Off for registries without auth (wlsimg registry serve --auth none)." },
    { id: "aux-push-cred", label: "Auxiliary Image Registry Push Credentials", type: "select", show: (p) => p.image.aux.pushAuth, help: "Saved logins for this host, or a user name and password typed here." },
    { id: "aux-push-user", label: "Auxiliary Image Registry Push Username", show: pushTyped, autocomplete: "username", help: "On OCIR: <tenancy-namespace>/<user> (federated: <tenancy-namespace>/oracleidentitycloudservice/<user>)." },
    { id: "aux-push-password", label: "Auxiliary Image Registry Push Password", type: "password", show: pushTyped, help: "For OCIR an auth token, not the console password. Sent to the local server only and never shown again." },
    { id: "aux-push-save", label: "Remember this login", type: "checkbox", local: "remember", show: pushTyped, help: "Saved where Credential storage (Project page) says." },
    { id: "aux-push-test", label: "Test Login", type: "button", testid: "btn-test-login", show: (p) => p.image.aux.pushAuth, help: "Logs in and asks for push rights on the repository." },
  ] },
  { page: "image", tab: "aux", title: "Base Image to Use", show: auxCreate, fields: [
    { id: "aux-custom-base", label: "Use Custom Base Image", type: "checkbox", path: "image.aux.base.custom", help: "Otherwise WIT's default base, busybox." },
    { id: "aux-base", label: "Custom Base Image to Use", path: "image.aux.base.ref", show: (p) => p.image.aux.base.custom, help: "Must contain a shell and /etc/passwd (for --chown)." },
    { id: "aux-base-source", label: "Base image", type: "ro", value: (p, s) => s.baseSource || "", help: "" },
  ] },
  { page: "image", tab: "aux", title: "WebLogic Deploy Tooling Installer", show: auxCreate, fields: [
    { id: "wdt-latest", label: "Use Latest WebLogic Deploy Tooling Installer", type: "checkbox", path: "image.aux.wdt.latest", help: "The newest wdt entry in the WIT cache; works offline." },
    { id: "wdt-installer", label: "WebLogic Deploy Tooling Installer to Use", path: "image.aux.wdt.installer", browse: true, show: (p) => !p.image.aux.wdt.latest, help: "Added to the cache as wdt_<version>." },
    { id: "wdt-version", label: "WebLogic Deploy Tooling Version", path: "image.aux.wdt.version", show: (p) => !p.image.aux.wdt.latest, help: "--wdtVersion" },
    { id: "wdt-cached", label: "Cached WDT versions", type: "ro", value: (p, s) => s.wdtCached || "", help: "" },
  ] },
  { page: "image", tab: "aux", title: "Advanced", advanced: true, show: auxCreate, fields: [
    { id: "wdt-home", label: "WDT Home Directory", path: "image.aux.wdtHome", help: "The Domain gets the matching sourceWDTInstallHome." },
    { id: "model-home", label: "Model Home Directory", path: "image.aux.modelHome", help: "sourceModelHome" },
    { id: "openshift", label: "Make Image Compatible with OpenShift", type: "checkbox", path: "image.aux.openshift", help: "--target OpenShift" },
    { id: "owner", label: "File System Owner", path: "image.aux.owner", help: "--chown owner:group" },
    { id: "group", label: "File System Group", path: "image.aux.group", help: "" },
    { id: "always-pull", label: "Always Pull Base Image", type: "checkbox", path: "image.aux.alwaysPull", help: "--pull" },
    { id: "offer-prepare", label: "Ask \"run Prepare Model?\" before Create", type: "checkbox", path: "image.aux.offerPrepareModel", help: "The lab's question; wlsimg uses the model as it is." },
    { id: "extend", label: "Extend Image Build", type: "checkbox", path: "image.aux.extend.enabled", help: "" },
    { id: "extend-commands", label: "Additional Build Commands File", path: "image.aux.extend.commands", browse: true, show: (p) => p.image.aux.extend.enabled, help: "RUN lines need a builder (docker, podman or buildah)." },
    { id: "extend-files", label: "Additional Build Files", type: "list", path: "image.aux.extend.files", show: (p) => p.image.aux.extend.enabled, help: "" },
    { id: "build-network", label: "Image Build Network Name", path: "image.aux.buildNetwork", show: (p) => p.image.aux.extend.enabled, help: "Only meaningful with a builder." },
  ] },
  { page: "k8s", title: "Cluster", fields: [
    { id: "k8s-context", label: "Kube Context", type: "select", path: "k8s.context", help: "Passed as --context; your kubeconfig is never changed." },
    { id: "namespace", label: "Kubernetes Namespace", path: "k8s.namespace", placeholder: "<uid>-ns", help: "" },
  ] },
  { page: "k8s", tab: "secrets", title: "Image pull secrets", fields: [
    { id: "pull-secret-aux", label: "Auxiliary Image Pull Secret", path: "k8s.pullSecrets.aux", placeholder: "ocir", help: "Created from the same login used to push." },
    { id: "pull-secret-primary", label: "Primary Image Pull Secret", path: "k8s.pullSecrets.primary", placeholder: "ocr", help: "Created from the saved login for the primary image's host, or it must exist." },
    { id: "model-secrets", label: "Model secrets (from @@SECRET@@ macros)", type: "secrets", help: "The secrets the model reads, names resolved with the Domain UID; values are kept for this session only." },
  ] },
  { page: "k8s", tab: "domain", title: "WebLogic Domain", fields: [
    { id: "domain-uid", label: "Domain UID", path: "k8s.domainUid", help: "A DNS-1123 label." },
    { id: "aux-ref-mode", label: "Auxiliary image reference in the Domain", type: "radio", path: "k8s.auxRefMode", options: [["digest", "Tag + digest"], ["tag", "Tag only"]], help: "A digest pin makes re-pushes take effect." },
    { id: "primary-pull-policy", label: "Primary Image Pull Policy", type: "select", path: "k8s.pullPolicies.primary", options: [["IfNotPresent", "IfNotPresent"], ["Always", "Always"], ["Never", "Never"]] },
    { id: "aux-pull-policy", label: "Auxiliary Image Pull Policy", type: "select", path: "k8s.pullPolicies.aux", options: [["IfNotPresent", "IfNotPresent"], ["Always", "Always"], ["Never", "Never"]] },
    { id: "wls-cred-secret", label: "WebLogic Credentials Secret Name", path: "k8s.wlsCredSecret", placeholder: "<uid>-weblogic-credentials", help: "" },
    { id: "wls-user", label: "WebLogic Admin Username", path: "k8s.wlsUser", help: "" },
    { id: "wls-password", label: "WebLogic Admin Password", type: "password", help: "Needed to apply; kept for this session only, never saved." },
    { id: "runtime-secret", label: "Runtime Encryption Secret", path: "k8s.runtimeSecret", placeholder: "<uid>-runtime-encryption-secret", help: "Generated once (random); an existing one is kept." },
    { id: "k8s-env", label: "Environment (serverPod.env)", type: "list", path: "k8s.env", nobrowse: true, placeholder: "NAME=VALUE", help: "For the model's @@ENV:NAME@@ macros; DOMAIN_UID and the operator's own are set for you." },
  ] },
];

export function hostOf(tag) {
  if (!tag) return "";
  const slash = tag.indexOf("/");
  const first = slash < 0 ? "" : tag.slice(0, slash);
  if (first && (first.includes(".") || first.includes(":") || first === "localhost")) return first;
  return "Docker Hub (docker.io)";
}

export const FIELDS = Object.fromEntries(PANELS.flatMap((p) => p.fields.map((f) => [f.id, { ...f, page: p.page, tab: p.tab }])));

export function getPath(obj, path) {
  return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

export function setPath(obj, path, value) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}
