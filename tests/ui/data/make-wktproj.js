// Encrypt values the way WKT UI stores credentials (PBKDF2-SHA256 10k, AES-256-GCM, 16-byte IV, 128-byte salt,
// "tag-ciphertext-iv-salt" in base64, zlib-deflated, base64).
const c = require("node:crypto"), z = require("zlib");
const pass = "lab passphrase";
function enc(text) {
  const salt = c.randomBytes(128), iv = c.randomBytes(16);
  const key = c.pbkdf2Sync(pass, salt, 10000, 32, "sha256");
  const ci = c.createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([ci.update(text, "utf8"), ci.final()]);
  const packed = [ci.getAuthTag(), ct, iv, salt].map((b) => b.toString("base64")).join("-");
  return z.deflateSync(packed).toString("base64");
}
const proj = {
  name: "test-model-ocw", uuid: "0f6e2c3a-1111-4222-8333-944455556666",
  settings: { imageTargetArchitecture: "amd64", containerImageRegistriesCredentials: {
    aB3x9Qz: { name: "ocir-lhr", address: "lhr.ocir.io", email: "user3@example.com", username: enc("mytenancy/user3"), password: enc("auth-token-Ab1;x") },
    Zq7mmN1: { name: "docker-hub", address: "", email: "", username: enc("hubuser"), password: enc("hub-password") } } },
  model: { modelFiles: ["test-model-ocw-models/model.yaml"], propertiesFiles: ["test-model-ocw-models/variables.properties"], archiveFiles: ["test-model-ocw-models/archive.zip"] },
  image: { imageTag: "container-registry.oracle.com/middleware/weblogic:12.2.1.4-slim-ol8", auxImageTag: "lhr.ocir.io/mytenancy/test-model-ocw:user3",
    auxImageRegistryPushCredentialsReference: "aB3x9Qz", auxDefaultBaseImagePullRequiresAuthentication: false },
  kubectl: { kubeConfigContextToUse: "oke-lhr" },
  k8sDomain: { uid: "test-model-ocw", kubernetesNamespace: "test-model-ocw-ns", auxImageRegistryPullSecretName: "ocir",
    credentialsUserName: enc("weblogic"), credentialsPassword: enc("welcome1"), runtimeSecretValue: enc("0a1b2c3d") },
  credentialPaths: ["settings.containerImageRegistriesCredentials.aB3x9Qz.username", "settings.containerImageRegistriesCredentials.aB3x9Qz.password",
    "settings.containerImageRegistriesCredentials.Zq7mmN1.username", "settings.containerImageRegistriesCredentials.Zq7mmN1.password",
    "k8sDomain.credentialsUserName", "k8sDomain.credentialsPassword", "k8sDomain.runtimeSecretValue"],
};
process.stdout.write(JSON.stringify(proj, null, 2) + "\n");
