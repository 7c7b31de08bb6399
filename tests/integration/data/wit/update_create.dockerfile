FROM wls:12214 AS wdt_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV WLSDEPLOY_PROPERTIES=" -Djava.security.egd=file:/dev/./urandom" DOMAIN_HOME=/u01/domains/base_domain
COPY --chown=oracle:oracle weblogic-deploy.zip /tmp/imagetool/
USER root
RUN mkdir -p /u01/wdt && chown oracle:oracle /u01/wdt
USER oracle
RUN cd /u01/wdt && mkdir -p /u01/wdt/models && mkdir -p $(dirname /u01/domains/base_domain)
COPY --chown=oracle:oracle ["model.yaml", "/u01/wdt/models/"]
COPY --chown=oracle:oracle ["vars.properties", "/u01/wdt/models/"]
RUN test -d /u01/wdt/weblogic-deploy && rm -rf /u01/wdt/weblogic-deploy || echo Initial WDT install && unzip -q /tmp/imagetool/weblogic-deploy.zip -d /u01/wdt
RUN cd /u01/wdt/weblogic-deploy/bin && ./createDomain.sh -oracle_home /u01/oracle -domain_home /u01/domains/base_domain -domain_type JRF -run_rcu -variable_file /u01/wdt/models/vars.properties -model_file /u01/wdt/models/model.yaml
FROM wls:12214 AS final_build
USER root
ENV OPATCH_NO_FUSER=true
ENV DOMAIN_HOME=/u01/domains/base_domain WDT_HOME=/u01/wdt PATH=${PATH}:/u01/domains/base_domain/bin
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER oracle
COPY --from=wdt_build --chown=oracle:oracle /u01/domains/base_domain /u01/domains/base_domain/
