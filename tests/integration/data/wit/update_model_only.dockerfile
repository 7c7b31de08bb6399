FROM wls:12214 AS wdt_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV WLSDEPLOY_PROPERTIES=" -Djava.security.egd=file:/dev/./urandom" DOMAIN_HOME=/u01/domains/base_domain
COPY --chown=oracle:oracle weblogic-deploy.zip /tmp/imagetool/
USER root
RUN mkdir -p /opt/wdt && chown oracle:oracle /opt/wdt
USER oracle
RUN cd /opt/wdt && mkdir -p /opt/wdt/models && mkdir -p $(dirname /u01/domains/base_domain)
COPY --chown=oracle:oracle ["model.yaml", "/opt/wdt/models/"]
COPY --chown=oracle:oracle ["vars.properties", "/opt/wdt/models/"]
RUN test -d /opt/wdt/weblogic-deploy && rm -rf /opt/wdt/weblogic-deploy || echo Initial WDT install && unzip -q /tmp/imagetool/weblogic-deploy.zip -d /opt/wdt
RUN cd /opt/wdt/weblogic-deploy/bin && rm ./*.cmd && ./validateModel.sh -method lax -oracle_home /u01/oracle -domain_type WLS -variable_file /opt/wdt/models/vars.properties -model_file /opt/wdt/models/model.yaml && rm /opt/wdt/weblogic-deploy/logs/* && shopt -s globstar && rm -f /opt/wdt/weblogic-deploy/lib/python/**/*.class
FROM wls:12214 AS final_build
USER root
ENV OPATCH_NO_FUSER=true
ENV DOMAIN_HOME=/u01/domains/base_domain WDT_HOME=/opt/wdt WDT_MODEL_HOME=/opt/wdt/models PATH=${PATH}:/u01/domains/base_domain/bin
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER oracle
RUN mkdir -p /u01/domains /opt/wdt /opt/wdt/models && chown oracle:oracle /u01/domains /opt/wdt /opt/wdt/models
COPY --from=wdt_build --chown=oracle:oracle /opt/wdt /opt/wdt/
