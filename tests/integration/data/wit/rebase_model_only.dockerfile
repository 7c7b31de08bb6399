FROM mii:1 AS source_image
FROM wls:12214-patched AS final_build
ENV DOMAIN_HOME=/u01/domains/base_domain
LABEL com.oracle.weblogic.imagetool.buildid="BUILDID"
USER oracle
RUN mkdir -p /u01/domains/base_domain
COPY --from=source_image --chown=oracle:oracle /u01/wdt /u01/wdt/
RUN chmod -R g=u /u01/domains/base_domain
WORKDIR /u01/domains/base_domain
