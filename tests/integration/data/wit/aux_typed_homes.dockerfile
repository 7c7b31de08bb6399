FROM busybox AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN echo initial /u01/jdk oracle:oracle
RUN if [ -z "$(grep ^oracle: /etc/group)" ]; then addgroup oracle || exit 1 ; fi && if [ -z "$(grep ^oracle: /etc/group)" ]; then addgroup oracle || exit 1 ; fi && if [ -z "$(grep ^oracle: /etc/passwd)" ]; then adduser -D -G oracle oracle || exit 1 ; fi
FROM os_update AS wdt_build
RUN mkdir -p /aux/ && mkdir -p models && chown oracle:oracle /aux/
COPY --chown=oracle:oracle ["weblogic-deploy.zip", "/tmp/imagetool/"]
RUN test -d /aux//weblogic-deploy && rm -rf /aux//weblogic-deploy || echo Initial WDT install && unzip -q "/tmp/imagetool/weblogic-deploy.zip" -d /aux/
FROM os_update AS final
ENV AUXILIARY_IMAGE_PATH=/aux/ WDT_HOME=/aux/ WDT_MODEL_HOME=models
RUN mkdir -p /aux/ && chown oracle:oracle /aux/
COPY --from=wdt_build --chown=oracle:oracle /aux/ /aux//
RUN mkdir -p models && chown oracle:oracle models
COPY --chown=oracle:oracle ["model.yaml", "models/"]
RUN chmod -R 640 models/*
USER oracle
WORKDIR /aux/
COPY --chown=oracle:oracle files/extra.txt /u01/oracle/
RUN echo "final /u01/domains/base_domain a&b"
