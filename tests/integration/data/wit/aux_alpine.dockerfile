FROM alpine:3 AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN apk update && apk upgrade && rm -rf /var/cache/apk/*
RUN if [ -z "$(grep ^oracle: /etc/group)" ]; then addgroup oracle || exit 1 ; fi && if [ -z "$(grep ^root: /etc/group)" ]; then addgroup root || exit 1 ; fi && if [ -z "$(grep ^oracle: /etc/passwd)" ]; then adduser -D -G root oracle || exit 1 ; fi
FROM os_update AS wdt_build
RUN mkdir -p /auxiliary && mkdir -p /auxiliary/models && chown oracle:root /auxiliary
COPY --chown=oracle:root ["weblogic-deploy.zip", "/tmp/imagetool/"]
RUN test -d /auxiliary/weblogic-deploy && rm -rf /auxiliary/weblogic-deploy || echo Initial WDT install && unzip -q "/tmp/imagetool/weblogic-deploy.zip" -d /auxiliary
FROM os_update AS final
ENV AUXILIARY_IMAGE_PATH=/auxiliary WDT_HOME=/auxiliary WDT_MODEL_HOME=/auxiliary/models
RUN mkdir -p /auxiliary && chown oracle:root /auxiliary
COPY --from=wdt_build --chown=oracle:root /auxiliary /auxiliary/
RUN mkdir -p /auxiliary/models && chown oracle:root /auxiliary/models
COPY --chown=oracle:root ["model.yaml", "/auxiliary/models/"]
RUN chmod -R 640 /auxiliary/models/*
USER oracle
WORKDIR /auxiliary
