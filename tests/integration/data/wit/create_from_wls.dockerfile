FROM wls:12214 AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN microdnf update && microdnf install gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype && microdnf clean all
RUN if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent passwd oracle)" ]; then useradd -g oracle oracle || exit 1; fi && mkdir -p /u01 && chown oracle:oracle /u01 && chmod 775 /u01
FROM os_update AS wdt_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV WLSDEPLOY_PROPERTIES=" -Djava.security.egd=file:/dev/./urandom" DOMAIN_HOME=/u01/domains/base_domain
COPY --chown=oracle:oracle weblogic-deploy.zip /tmp/imagetool/
USER root
RUN mkdir -p /u01/wdt && chown oracle:oracle /u01/wdt
USER oracle
RUN cd /u01/wdt && mkdir -p /u01/wdt/models && mkdir -p $(dirname /u01/domains/base_domain)
COPY --chown=oracle:oracle ["model.yaml", "/u01/wdt/models/"]
RUN test -d /u01/wdt/weblogic-deploy && rm -rf /u01/wdt/weblogic-deploy || echo Initial WDT install && unzip -q /tmp/imagetool/weblogic-deploy.zip -d /u01/wdt
RUN cd /u01/wdt/weblogic-deploy/bin && ./createDomain.sh -oracle_home /u01/oracle -domain_home /u01/domains/base_domain -domain_type WLS -model_file /u01/wdt/models/model.yaml
FROM os_update AS final_build
ENV ORACLE_HOME=/u01/oracle LD_LIBRARY_PATH=/u01/oracle/oracle_common/adr DOMAIN_HOME=/u01/domains/base_domain WDT_HOME=/u01/wdt PATH=${PATH}:/u01/jdk/bin:/u01/oracle/oracle_common/common/bin:/u01/oracle/wlserver/common/bin:/u01/oracle:/u01/domains/base_domain/bin
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
COPY --from=wdt_build --chown=oracle:oracle /u01/domains/base_domain /u01/domains/base_domain/
USER oracle
WORKDIR /u01/domains/base_domain
