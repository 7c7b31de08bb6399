FROM domain:1 AS wdt_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV WLSDEPLOY_PROPERTIES=" -Djava.security.egd=file:/dev/./urandom" DOMAIN_HOME=/u01/domains/base_domain
COPY --chown=oracle:oracle weblogic-deploy.zip /tmp/imagetool/
USER root
RUN mkdir -p /u01/wdt && chown oracle:oracle /u01/wdt
USER oracle
RUN cd /u01/wdt && mkdir -p /u01/wdt/models && mkdir -p $(dirname /u01/domains/base_domain)
COPY --chown=oracle:oracle ["archive.zip", "/u01/wdt/models/"]
RUN test -d /u01/wdt/weblogic-deploy && rm -rf /u01/wdt/weblogic-deploy || echo Initial WDT install && unzip -q /tmp/imagetool/weblogic-deploy.zip -d /u01/wdt
RUN echo before-wdt /u01/wdt
RUN cd /u01/wdt/weblogic-deploy/bin && ./deployApps.sh -oracle_home /u01/oracle -domain_home /u01/domains/base_domain -domain_type WLS -archive_file /u01/wdt/models/archive.zip
RUN chmod -R g=u /u01/domains/base_domain
RUN echo after-wdt
FROM domain:1 AS final_build
USER root
ENV OPATCH_NO_FUSER=true
ENV DOMAIN_HOME=/u01/domains/base_domain WDT_HOME=/u01/wdt PATH=${PATH}:/u01/domains/base_domain/bin
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER oracle
COPY --from=wdt_build --chown=oracle:oracle /u01/domains/base_domain /u01/domains/base_domain/
RUN chmod -R g=u /u01/domains/base_domain
COPY --chown=oracle:oracle files/extra.txt /u01/oracle/
RUN echo "final /u01/domains/base_domain a&b"
