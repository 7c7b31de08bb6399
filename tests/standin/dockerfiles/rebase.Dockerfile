# WIT 1.16.4's rebase Dockerfile (wit-primary §8.2, scenario R1_target) for
#   rebase --sourceImage @SOURCE@ --targetImage @TARGET@
# with the domain home, user and group WIT takes from the images' probes (@…@, filled in by the tests).

FROM @SOURCE@ AS source_image
FROM @TARGET@ AS final_build

ENV DOMAIN_HOME=@DOMAIN_HOME@
LABEL com.oracle.weblogic.imagetool.buildid="@BUILDID@"

USER @USER@
RUN mkdir -p @DOMAIN_HOME@
    COPY --from=source_image --chown=@USER@:@GROUP@ @DOMAIN_HOME@ @DOMAIN_HOME@/
@OPENSHIFT@
WORKDIR @DOMAIN_HOME@
