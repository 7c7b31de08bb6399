FROM busybox AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN if [ -z "$(grep ^oracle: /etc/group)" ]; then addgroup oracle || exit 1 ; fi && if [ -z "$(grep ^oracle: /etc/group)" ]; then addgroup oracle || exit 1 ; fi && if [ -z "$(grep ^oracle: /etc/passwd)" ]; then adduser -D -G oracle oracle || exit 1 ; fi
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
COPY --chown=oracle:oracle ["archive.zip", "/auxiliary/models/"]
COPY --chown=oracle:oracle ["model.properties", "/auxiliary/models/"]
RUN chmod -R 640 /auxiliary/models/*
USER oracle
WORKDIR /auxiliary
