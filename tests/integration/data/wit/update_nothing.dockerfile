FROM wls:12214 AS final_build
USER root
ENV OPATCH_NO_FUSER=true
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER oracle
