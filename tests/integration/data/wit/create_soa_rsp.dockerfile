FROM ghcr.io/oracle/oraclelinux:8-slim AS os_update
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER root
RUN microdnf update && microdnf install gzip tar unzip libaio libnsl jq findutils diffutils make fontconfig freetype && microdnf clean all
RUN if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent group oracle)" ]; then groupadd oracle || exit 1 ; fi && if [ -z "$(getent passwd oracle)" ]; then useradd -g oracle oracle || exit 1; fi && mkdir -p /u01 && chown oracle:oracle /u01 && chmod 775 /u01
FROM os_update AS jdk_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV JAVA_HOME=/u01/jdk
COPY --chown=oracle:oracle ["jdk-8u401-linux-x64.tar.gz", "/tmp/imagetool/"]
USER oracle
RUN tar xzf "/tmp/imagetool/jdk-8u401-linux-x64.tar.gz" -C /u01 && $(test -d /u01/jdk* && mv /u01/jdk* /u01/jdk || mv /u01/graal* /u01/jdk) && rm -rf /tmp/imagetool && rm -f /u01/jdk/javafx-src.zip /u01/jdk/src.zip
FROM os_update AS wls_build
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
ENV JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/soa OPATCH_NO_FUSER=true
RUN mkdir -p /u01/soa && mkdir -p /u01/invptr && chown oracle:oracle /u01/invptr && mkdir -p /u01/inventory && chown oracle:oracle /u01/inventory && chown oracle:oracle /u01/soa
COPY --from=jdk_build --chown=oracle:oracle ["/u01/jdk", "/u01/jdk/"]
COPY --chown=oracle:oracle ["fmw_12.2.1.4.0_infrastructure_Disk1_1of1.zip", "fmw.rsp", "/tmp/imagetool/fmw/"]
COPY --chown=oracle:oracle ["fmw_12.2.1.4.0_soa_Disk1_1of1.zip", "soa.rsp", "/tmp/imagetool/soa/"]
COPY --chown=oracle:oracle oraInst.loc /u01/invptr/
USER oracle
RUN echo "INSTALLING MIDDLEWARE" && echo "INSTALLING fmw" && unzip -q "/tmp/imagetool/fmw/fmw_12.2.1.4.0_infrastructure_Disk1_1of1.zip" -d /tmp/imagetool/fmw && /u01/jdk/bin/java -Xmx1024m -jar /tmp/imagetool/fmw/fmw_12.2.1.4.0_infrastructure.jar -silent ORACLE_HOME=/u01/soa -responseFile /tmp/imagetool/fmw/fmw.rsp -invPtrLoc /u01/invptr/oraInst.loc -ignoreSysPrereqs -force -novalidation && echo "INSTALLING soa" && unzip -q "/tmp/imagetool/soa/fmw_12.2.1.4.0_soa_Disk1_1of1.zip" -d /tmp/imagetool/soa && /u01/jdk/bin/java -Xmx1024m -jar /tmp/imagetool/soa/fmw_12.2.1.4.0_soa.jar -silent ORACLE_HOME=/u01/soa -responseFile /tmp/imagetool/soa/soa.rsp -invPtrLoc /u01/invptr/oraInst.loc -ignoreSysPrereqs -force -novalidation && test $? -eq 0 && chmod -R g+r /u01/soa || (grep -vh "NOTIFICATION" /tmp/OraInstall*/install*.log && exit 1)
FROM os_update AS final_build
ENV ORACLE_HOME=/u01/soa LD_LIBRARY_PATH=/u01/soa/oracle_common/adr JAVA_HOME=/u01/jdk PATH=${PATH}:/u01/jdk/bin:/u01/soa/oracle_common/common/bin:/u01/soa/wlserver/common/bin:/u01/soa
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
COPY --from=jdk_build --chown=oracle:oracle /u01/jdk /u01/jdk/
COPY --from=wls_build --chown=oracle:oracle /u01/soa /u01/soa/
COPY --from=wls_build --chown=oracle:oracle /u01/invptr/oraInst.loc /u01/invptr/oraInst.loc
COPY --from=wls_build --chown=oracle:oracle /u01/inventory /u01/inventory/
USER oracle
WORKDIR /u01/soa
