FROM ghcr.io/oracle/oraclelinux:8-slim AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN microdnf update && microdnf install gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype && microdnf clean all
RUN if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent group root)" ]; then groupadd root || exit 1 ; fi && if [ -z "$(getent passwd oracle)" ]; then useradd -g root oracle || exit 1; fi && mkdir -p /u01 && chown oracle:root /u01 && chmod 775 /u01
FROM os_update AS jdk_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV JAVA_HOME=/u01/jdk
COPY --chown=oracle:root ["jdk-8u401-linux-x64.tar.gz", "/tmp/imagetool/"]
USER oracle
RUN tar xzf "/tmp/imagetool/jdk-8u401-linux-x64.tar.gz" -C /u01 && $(test -d /u01/jdk* && mv /u01/jdk* /u01/jdk || mv /u01/graal* /u01/jdk) && rm -rf /tmp/imagetool && rm -f /u01/jdk/javafx-src.zip /u01/jdk/src.zip
FROM os_update AS wls_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle OPATCH_NO_FUSER=true
RUN mkdir -p /u01/oracle && mkdir -p /u01/oracle/oraInventory && chown oracle:root /u01/oracle/oraInventory && chown oracle:root /u01/oracle
COPY --from=jdk_build --chown=oracle:root ["/u01/jdk", "/u01/jdk/"]
COPY --chown=oracle:root ["fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip", "wls.rsp", "/tmp/imagetool/wls/"]
COPY --chown=oracle:root oraInst.loc /u01/oracle/
USER oracle
RUN echo "INSTALLING MIDDLEWARE" && echo "INSTALLING wls" && unzip -q "/tmp/imagetool/wls/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip" -d /tmp/imagetool/wls && /u01/jdk/bin/java -Xmx1024m -jar /tmp/imagetool/wls/fmw_12.2.1.4.0_wls_lite_generic.jar -silent ORACLE_HOME=/u01/oracle -responseFile /tmp/imagetool/wls/wls.rsp -invPtrLoc /u01/oracle/oraInst.loc -ignoreSysPrereqs -force -novalidation && test $? -eq 0 && chmod -R g+r /u01/oracle || (grep -vh "NOTIFICATION" /tmp/OraInstall*/install*.log && exit 1)
RUN mkdir -p ${ORACLE_HOME}/cfgtoollogs && chmod g=u ${ORACLE_HOME}/cfgtoollogs && chmod g=u ${ORACLE_HOME}/inventory/locks/oh.lock
FROM wls_build AS wdt_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV WLSDEPLOY_PROPERTIES=" -Djava.security.egd=file:/dev/./urandom" DOMAIN_HOME=/u01/domains/base_domain
COPY --chown=oracle:root weblogic-deploy.zip /tmp/imagetool/
USER root
RUN mkdir -p /u01/wdt && chown oracle:root /u01/wdt
USER oracle
RUN cd /u01/wdt && mkdir -p /u01/models && mkdir -p $(dirname /u01/domains/base_domain)
COPY --chown=oracle:root ["model.yaml", "/u01/models/"]
RUN test -d /u01/wdt/weblogic-deploy && rm -rf /u01/wdt/weblogic-deploy || echo Initial WDT install && unzip -q /tmp/imagetool/weblogic-deploy.zip -d /u01/wdt
RUN cd /u01/wdt/weblogic-deploy/bin && rm ./*.cmd && chmod -R g=u /u01/wdt/weblogic-deploy/lib && mkdir /u01/wdt/weblogic-deploy/logs && chmod g=u /u01/wdt/weblogic-deploy/logs && ./validateModel.sh -oracle_home /u01/oracle -domain_type WLS -model_file /u01/models/model.yaml && rm /u01/wdt/weblogic-deploy/logs/* && shopt -s globstar && rm -f /u01/wdt/weblogic-deploy/lib/python/**/*.class
FROM os_update AS final_build
ENV ORACLE_HOME=/u01/oracle LD_LIBRARY_PATH=/u01/oracle/oracle_common/adr JAVA_HOME=/u01/jdk DOMAIN_HOME=/u01/domains/base_domain WDT_HOME=/u01/wdt WDT_MODEL_HOME=/u01/models PATH=${PATH}:/u01/jdk/bin:/u01/oracle/oracle_common/common/bin:/u01/oracle/wlserver/common/bin:/u01/oracle:/u01/domains/base_domain/bin
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
COPY --from=jdk_build --chown=oracle:root /u01/jdk /u01/jdk/
COPY --from=wls_build --chown=oracle:root /u01/oracle /u01/oracle/
RUN mkdir -p /u01/domains /u01/wdt /u01/models && chown oracle:root /u01/domains /u01/wdt /u01/models
COPY --from=wdt_build --chown=oracle:root /u01/wdt /u01/wdt/
COPY --from=wdt_build --chown=oracle:root /u01/models /u01/models/
RUN chmod -R g=u /u01/domains /u01/wdt /u01/models
USER oracle
WORKDIR /u01/oracle
