/* TEST STAND-IN, not Oracle's code: the `weblogic.version` class of the stand-in weblogic.jar.
 * Oracle's installers cannot be downloaded where wlsimg is tested, so tests/standin builds a small
 * Oracle Home whose weblogic.jar answers `java -cp weblogic.jar weblogic.version` the way WIT's
 * probe expects: a line "WebLogic Server <version> ...". The version is the jar's
 * Implementation-Version. */
package weblogic;

public class version {
  public static void main(String[] args) {
    Package p = version.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    if (v == null) {
      System.err.println("weblogic.version: no Implementation-Version in the jar manifest");
      System.exit(1);
    }
    System.out.println();
    System.out.println("WebLogic Server " + v + "  (wlsimg test stand-in, not Oracle WebLogic Server)");
    System.out.println();
    System.out.println("Use 'weblogic.version -verbose' to get subsystem information");
  }
}
