FROM oraclelinux:9 AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN dnf -y update && dnf -y install gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype && dnf clean all
RUN if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent passwd oracle)" ]; then useradd -g oracle oracle || exit 1; fi && mkdir -p /u01 && chown oracle:oracle /u01 && chmod 775 /u01
FROM os_update AS wdt_build
RUN mkdir -p /auxiliary && mkdir -p /auxiliary/models && chown oracle:oracle /auxiliary
COPY --chown=oracle:oracle ["weblogic-deploy.zip", "/tmp/imagetool/"]
RUN test -d /auxiliary/weblogic-deploy && rm -rf /auxiliary/weblogic-deploy || echo Initial WDT install && unzip -q "/tmp/imagetool/weblogic-deploy.zip" -d /auxiliary
FROM os_update AS final
ENV AUXILIARY_IMAGE_PATH=/auxiliary WDT_HOME=/auxiliary WDT_MODEL_HOME=/auxiliary/models
RUN mkdir -p /auxiliary && chown oracle:oracle /auxiliary
COPY --from=wdt_build --chown=oracle:oracle /auxiliary /auxiliary/
RUN mkdir -p /auxiliary/models && chown oracle:oracle /auxiliary/models
COPY --chown=oracle:oracle ["model.yaml", "/auxiliary/models/"]
RUN chmod -R 640 /auxiliary/models/*
USER oracle
WORKDIR /auxiliary
