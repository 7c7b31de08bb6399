FROM wls:opatch20 AS final_build
USER root
ENV OPATCH_NO_FUSER=true
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER oracle
COPY --chown=oracle:oracle patches/* /tmp/imagetool/patches/
RUN /u01/oracle/OPatch/opatch apply -silent -oh /u01/oracle -nonrollbackable /tmp/imagetool/patches/p12345678_122140_Generic.zip
RUN /u01/oracle/OPatch/opatch util cleanup -silent -oh /u01/oracle
