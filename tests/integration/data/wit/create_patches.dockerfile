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
ENV JAVA_HOME=/u01/jdk ORACLE_HOME=/u01/oracle OPATCH_NO_FUSER=true
RUN mkdir -p /u01/oracle && mkdir -p /u01/oracle/oraInventory && chown oracle:oracle /u01/oracle/oraInventory && chown oracle:oracle /u01/oracle
COPY --from=jdk_build --chown=oracle:oracle ["/u01/jdk", "/u01/jdk/"]
COPY --chown=oracle:oracle ["fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip", "wls.rsp", "/tmp/imagetool/wls/"]
COPY --chown=oracle:oracle oraInst.loc /u01/oracle/
USER oracle
RUN echo "INSTALLING MIDDLEWARE" && echo "INSTALLING wls" && unzip -q "/tmp/imagetool/wls/fmw_12.2.1.4.0_wls_lite_Disk1_1of1.zip" -d /tmp/imagetool/wls && /u01/jdk/bin/java -Xmx1024m -jar /tmp/imagetool/wls/fmw_12.2.1.4.0_wls_lite_generic.jar -silent ORACLE_HOME=/u01/oracle -responseFile /tmp/imagetool/wls/wls.rsp -invPtrLoc /u01/oracle/oraInst.loc -ignoreSysPrereqs -force -novalidation && test $? -eq 0 && chmod -R g+r /u01/oracle || (grep -vh "NOTIFICATION" /tmp/OraInstall*/install*.log && exit 1)
COPY --chown=oracle:oracle p28186730_1394217_Generic.zip /tmp/imagetool/opatch/
RUN cd /tmp/imagetool/opatch && /u01/jdk/bin/jar -xf /tmp/imagetool/opatch/p28186730_1394217_Generic.zip && /u01/jdk/bin/java -jar /tmp/imagetool/opatch/6880880/opatch_generic.jar -silent -ignoreSysPrereqs -force -novalidation oracle_home=/u01/oracle && rm -rf /tmp/imagetool
COPY --chown=oracle:oracle patches/* /tmp/imagetool/patches/
RUN /u01/oracle/OPatch/opatch napply -silent -oh /u01/oracle -nonrollbackable -phBaseDir /tmp/imagetool/patches && test $? -eq 0 && /u01/oracle/OPatch/opatch util cleanup -silent -oh /u01/oracle || (cat /u01/oracle/cfgtoollogs/opatch/opatch*.log && exit 1)
FROM os_update AS final_build
ENV ORACLE_HOME=/u01/oracle LD_LIBRARY_PATH=/u01/oracle/oracle_common/adr JAVA_HOME=/u01/jdk PATH=${PATH}:/u01/jdk/bin:/u01/oracle/oracle_common/common/bin:/u01/oracle/wlserver/common/bin:/u01/oracle
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
COPY --from=jdk_build --chown=oracle:oracle /u01/jdk /u01/jdk/
COPY --from=wls_build --chown=oracle:oracle /u01/oracle /u01/oracle/
USER oracle
WORKDIR /u01/oracle
