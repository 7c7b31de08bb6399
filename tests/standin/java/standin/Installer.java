/* TEST STAND-IN, not Oracle's code.
 *
 * Oracle's Fusion Middleware installers (fmw_*_generic.jar) and the OPatch installer
 * (6880880/opatch_generic.jar) cannot be downloaded where wlsimg is tested. This small program
 * takes their place in tests/standin: it accepts the command lines WIT's Dockerfiles run, checks
 * the response file and the inventory pointer (oraInst.loc) as the real installer does, fails
 * with a log under /tmp/OraInstall<time>/install<time>.log on bad input, and lays down an Oracle
 * Home with the files wlsimg's static probe reads (wlserver/server/lib/weblogic.jar with its
 * Implementation-Version, inventory/registry.xml with the installed distributions, OPatch/opatch
 * and OPatch/version.txt, oracle_common/...) and a central inventory.
 *
 * What it installs is described by two resources of its own jar (written by
 * tests/standin/make-all.sh): standin.properties (kind, product, version, install types,
 * distributions) and payload.list ("<octal mode> <path>" for every file under payload/ in the jar).
 *
 *   kind=installer: java -jar x.jar -silent ORACLE_HOME=<oh> -responseFile <rsp>
 *                   -invPtrLoc <oraInst.loc> [-ignoreSysPrereqs] [-force] [-novalidation]
 *   kind=opatch:    java -jar opatch_generic.jar -silent -ignoreSysPrereqs -force -novalidation
 *                   oracle_home=<oh>
 */
package standin;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

public final class Installer {
  private final Properties product = new Properties();
  private final List<String> log = new ArrayList<>();
  private Path logFile;

  /** Thrown for bad input: the message is logged as SEVERE and the installer exits 1. */
  static final class Fail extends Exception {
    Fail(String m) {
      super(m);
    }
  }

  public static void main(String[] args) {
    Installer i = new Installer();
    int rc;
    try {
      i.load();
      i.openLog();
      rc = "opatch".equals(i.product.getProperty("kind")) ? i.updateOPatch(args) : i.install(args);
    } catch (Fail f) {
      i.severe(f.getMessage());
      rc = 1;
    } catch (IOException e) {
      i.severe("I/O error: " + e);
      rc = 1;
    }
    i.flush();
    System.exit(rc);
  }

  private void load() throws Fail, IOException {
    try (InputStream in = Installer.class.getResourceAsStream("/standin.properties")) {
      if (in == null)
        throw new Fail("standin.properties is missing from the installer jar");
      product.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
  }

  /* The log Oracle's installers write, where WIT's Dockerfile looks for it on failure. */
  private void openLog() throws IOException {
    String stamp = new SimpleDateFormat("yyyy-MM-dd_hh-mm-ssa", Locale.ROOT).format(new Date());
    Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "OraInstall" + stamp);
    Files.createDirectories(dir);
    logFile = dir.resolve("install" + stamp + ".log");
    note("Launcher log file is " + logFile);
  }

  private void note(String m) {
    log.add("NOTIFICATION: " + m);
    System.out.println(m);
  }

  private void severe(String m) {
    log.add("SEVERE: " + m);
    System.err.println("SEVERE: " + m);
  }

  private void flush() {
    if (logFile == null)
      return;
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8))) {
      for (String l : log)
        w.println(l);
    } catch (IOException e) {
      System.err.println("cannot write " + logFile + ": " + e);
    }
  }

  /* ---- the command line ---- */

  private static final class Args {
    boolean silent, force;
    String responseFile, invPtrLoc;
    final Map<String, String> vars = new LinkedHashMap<>();
  }

  private Args parse(String[] argv, boolean opatch) throws Fail {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String s = argv[i];
      switch (s) {
      case "-silent":
        a.silent = true;
        break;
      case "-force":
        a.force = true;
        break;
      case "-ignoreSysPrereqs":
      case "-novalidation":
      case "-nowait":
        break;
      case "-responseFile":
      case "-invPtrLoc":
      case "-jreLoc":
        if (i + 1 >= argv.length)
          throw new Fail("option " + s + " needs a value");
        String v = argv[++i];
        if (s.equals("-responseFile"))
          a.responseFile = v;
        else if (s.equals("-invPtrLoc"))
          a.invPtrLoc = v;
        break;
      default:
        int eq = s.indexOf('=');
        if (s.startsWith("-") || eq <= 0)
          throw new Fail("unknown argument " + s);
        a.vars.put(opatch ? s.substring(0, eq).toLowerCase(Locale.ROOT) : s.substring(0, eq),
                   s.substring(eq + 1));
      }
    }
    if (!a.silent)
      throw new Fail("this installer has no graphical mode here: run it with -silent");
    return a;
  }

  /* ---- response file and inventory pointer ---- */

  private static List<String> readLines(String path, String what) throws Fail {
    File f = new File(path);
    if (!f.isFile() || !f.canRead())
      throw new Fail("the " + what + " " + path + " does not exist or cannot be read");
    try {
      return Files.readAllLines(f.toPath(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Fail("cannot read the " + what + " " + path + ": " + e.getMessage());
    }
  }

  private Map<String, String> responseFile(String path) throws Fail {
    List<String> lines = readLines(path, "response file");
    Map<String, String> m = new LinkedHashMap<>();
    String section = null;
    boolean versionSeen = false;
    for (String raw : lines) {
      String l = raw.trim();
      if (l.isEmpty() || l.startsWith("#"))
        continue;
      if (l.startsWith("[") && l.endsWith("]")) {
        section = l.substring(1, l.length() - 1);
        if (!section.equals("ENGINE") && !section.equals("GENERIC"))
          throw new Fail("response file " + path + ": unknown section [" + section + "]");
        continue;
      }
      int eq = l.indexOf('=');
      if (section == null || eq <= 0)
        throw new Fail("response file " + path + ": line outside [ENGINE]/[GENERIC] or without '=': " + l);
      String k = l.substring(0, eq).trim(), v = l.substring(eq + 1).trim();
      if (section.equals("ENGINE")) {
        if (!k.equals("Response File Version"))
          throw new Fail("response file " + path + ": unknown [ENGINE] key " + k);
        if (!v.startsWith("1.0.0.0"))
          throw new Fail("response file " + path + ": unsupported Response File Version " + v);
        versionSeen = true;
      } else {
        m.put(k, v);
      }
    }
    if (!versionSeen)
      throw new Fail("response file " + path + ": no [ENGINE] section with a Response File Version");
    String type = m.get("INSTALL_TYPE");
    List<String> types = list(product.getProperty("installTypes", ""));
    if (type == null)
      throw new Fail("response file " + path + ": INSTALL_TYPE is missing");
    if (!types.contains(type))
      throw new Fail("response file " + path + ": INSTALL_TYPE \"" + type + "\" is not one of " + types);
    boolean decline = "true".equalsIgnoreCase(m.get("DECLINE_SECURITY_UPDATES"));
    if (!decline && m.get("MYORACLESUPPORT_USERNAME") == null)
      throw new Fail("response file " + path
                     + ": security updates are not declined (DECLINE_SECURITY_UPDATES=true) and no MYORACLESUPPORT_USERNAME is given");
    return m;
  }

  private static Map<String, String> keyValues(List<String> lines) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String raw : lines) {
      String l = raw.trim();
      int eq = l.indexOf('=');
      if (!l.startsWith("#") && eq > 0)
        m.put(l.substring(0, eq).trim(), l.substring(eq + 1).trim());
    }
    return m;
  }

  private static boolean groupExists(String g) {
    try (Stream<String> s = Files.lines(Paths.get("/etc/group"))) {
      return s.anyMatch(l -> l.startsWith(g + ":"));
    } catch (IOException e) {
      return false;
    }
  }

  private Path inventory(String loc) throws Fail, IOException {
    Map<String, String> kv = keyValues(readLines(loc, "inventory pointer file"));
    String inv = kv.get("inventory_loc"), grp = kv.get("inst_group");
    if (inv == null || inv.isEmpty())
      throw new Fail("inventory pointer file " + loc + ": inventory_loc is missing");
    if (grp == null || grp.isEmpty())
      throw new Fail("inventory pointer file " + loc + ": inst_group is missing");
    if (!inv.startsWith("/"))
      throw new Fail("inventory pointer file " + loc + ": inventory_loc " + inv + " is not an absolute path");
    if (!groupExists(grp))
      throw new Fail("inventory pointer file " + loc + ": the group " + grp + " (inst_group) does not exist");
    Path p = Paths.get(inv);
    try {
      Files.createDirectories(p);
    } catch (IOException e) {
      throw new Fail("the central inventory " + inv + " cannot be created: " + e.getMessage());
    }
    if (!Files.isWritable(p))
      throw new Fail("the central inventory " + inv + " is not writable");
    return p;
  }

  /* ---- install ---- */

  private int install(String[] argv) throws Fail, IOException {
    Args a = parse(argv, false);
    if (a.responseFile == null)
      throw new Fail("a silent installation needs -responseFile");
    Map<String, String> rsp = responseFile(a.responseFile);
    String oh = a.vars.containsKey("ORACLE_HOME") ? a.vars.get("ORACLE_HOME") : rsp.get("ORACLE_HOME");
    if (oh == null || oh.isEmpty())
      throw new Fail("ORACLE_HOME is not set (command line or response file)");
    if (!oh.startsWith("/"))
      throw new Fail("ORACLE_HOME " + oh + " is not an absolute path");
    if (a.invPtrLoc == null)
      throw new Fail("no inventory pointer: pass -invPtrLoc <oraInst.loc>");
    Path inv = inventory(a.invPtrLoc);
    String spec = System.getProperty("java.specification.version", "0");
    if (spec.startsWith("1.") && !spec.equals("1.8"))
      throw new Fail("this installer needs Java 8 or later, found " + spec);
    Path home = Paths.get(oh);
    if (Files.exists(home.resolve("inventory/registry.xml")))
      throw new Fail("ORACLE_HOME " + oh + " already holds an Oracle Home");
    if (Files.isDirectory(home) && !a.force) {
      try (Stream<Path> s = Files.list(home)) {
        if (s.findAny().isPresent())
          throw new Fail("ORACLE_HOME " + oh + " is not empty (use -force)");
      }
    }
    String version = product.getProperty("version");
    note("Installing " + product.getProperty("product") + " " + version + " into " + oh);
    Files.createDirectories(home);
    layDown(home);
    writeRegistry(home, version);
    writeInventory(inv, home);
    for (String d : new String[] {"oracle_common/adr", "cfgtoollogs/oui", "inventory/locks"})
      mkdirs(home.resolve(d));
    write(home.resolve("inventory/locks/oh.lock"), "", "640");
    for (String l : log)
      Files.write(home.resolve("cfgtoollogs/oui/install.log"), (l + "\n").getBytes(StandardCharsets.UTF_8),
                  java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    note("The installation of " + product.getProperty("product") + " " + version + " completed successfully.");
    return 0;
  }

  private static List<String> list(String s) {
    List<String> r = new ArrayList<>();
    for (String p : s.split(","))
      if (!p.trim().isEmpty())
        r.add(p.trim());
    return r;
  }

  private static Set<PosixFilePermission> perms(String octal) {
    int m = Integer.parseInt(octal, 8);
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] all = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                                 PosixFilePermission.OTHERS_READ,    PosixFilePermission.GROUP_EXECUTE,
                                 PosixFilePermission.GROUP_WRITE,    PosixFilePermission.GROUP_READ,
                                 PosixFilePermission.OWNER_EXECUTE,  PosixFilePermission.OWNER_WRITE,
                                 PosixFilePermission.OWNER_READ};
    for (int i = 0; i < all.length; i++)
      if ((m & (1 << i)) != 0)
        s.add(all[i]);
    return s;
  }

  /* Directories as Oracle's installers leave them: 0750. */
  private static void mkdirs(Path d) throws IOException {
    if (Files.isDirectory(d))
      return;
    if (d.getParent() != null)
      mkdirs(d.getParent());
    Files.createDirectory(d);
    Files.setPosixFilePermissions(d, perms("750"));
  }

  private static void write(Path p, String text, String mode) throws IOException {
    mkdirs(p.getParent());
    Files.write(p, text.getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(p, perms(mode));
  }

  /* Every file listed in payload.list, from the jar's payload/ resources. */
  private void layDown(Path home) throws Fail, IOException {
    InputStream list = Installer.class.getResourceAsStream("/payload.list");
    if (list == null)
      throw new Fail("payload.list is missing from the installer jar");
    try (BufferedReader r = new BufferedReader(new InputStreamReader(list, StandardCharsets.UTF_8))) {
      for (String l; (l = r.readLine()) != null;) {
        l = l.trim();
        if (l.isEmpty())
          continue;
        int sp = l.indexOf(' ');
        String mode = l.substring(0, sp), rel = l.substring(sp + 1);
        Path dst = home.resolve(rel);
        mkdirs(dst.getParent());
        try (InputStream in = Installer.class.getResourceAsStream("/payload/" + rel)) {
          if (in == null)
            throw new Fail("payload/" + rel + " is missing from the installer jar");
          Files.copy(in, dst, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(dst, perms(mode));
      }
    }
  }

  private void writeRegistry(Path home, String version) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    b.append("<!-- wlsimg test stand-in, not an Oracle inventory -->\n");
    b.append("<registry home=\"").append(home).append("\" platform=\"226\" xmlns=\"http://xmlns.oracle.com/cie/gdr/rgy\">\n");
    b.append("   <distributions>\n");
    for (String d : list(product.getProperty("distributions", ""))) {
      int c = d.lastIndexOf(':');
      String name = c > 0 ? d.substring(0, c) : d, v = c > 0 ? d.substring(c + 1) : version;
      b.append("      <distribution status=\"installed\" name=\"").append(name).append("\" version=\"").append(v)
          .append("\">\n         <feature-sets/>\n      </distribution>\n");
    }
    b.append("   </distributions>\n</registry>\n");
    write(home.resolve("inventory/registry.xml"), b.toString(), "640");
    write(home.resolve("inventory/ContentsXML/comps.xml"),
          "<?xml version=\"1.0\" standalone=\"yes\"?>\n<PRD_LIST><TL_LIST><COMP NAME=\"" + product.getProperty("component")
              + "\" VER=\"" + version + "\"/></TL_LIST></PRD_LIST>\n",
          "640");
  }

  private static void writeInventory(Path inv, Path home) throws IOException {
    write(inv.resolve("ContentsXML/inventory.xml"),
          "<?xml version=\"1.0\" standalone=\"yes\" ?>\n<INVENTORY>\n<VERSION_INFO><SAVED_WITH>13.9.4.0.0</SAVED_WITH>"
              + "<MINIMUM_VER>2.1.0.6.0</MINIMUM_VER></VERSION_INFO>\n<HOME_LIST>\n<HOME NAME=\"OracleHome1\" LOC=\"" + home
              + "\" TYPE=\"O\" IDX=\"1\"/>\n</HOME_LIST>\n</INVENTORY>\n",
          "640");
  }

  /* ---- OPatch update (6880880/opatch_generic.jar) ---- */

  private int updateOPatch(String[] argv) throws Fail, IOException {
    Args a = parse(argv, true);
    String oh = a.vars.get("oracle_home");
    if (oh == null || oh.isEmpty())
      throw new Fail("oracle_home=<Oracle Home> is required");
    Path home = Paths.get(oh);
    if (!Files.isRegularFile(home.resolve("inventory/registry.xml")))
      throw new Fail("oracle_home " + oh + " is not an Oracle Home (no inventory/registry.xml)");
    if (!Files.isWritable(home))
      throw new Fail("oracle_home " + oh + " is not writable");
    String v = product.getProperty("version");
    layDown(home);
    write(home.resolve("OPatch/version.txt"), "OPATCH_VERSION:" + v + "\n", "640");
    note("OPatch " + v + " (wlsimg test stand-in) installed in " + home.resolve("OPatch"));
    return 0;
  }
}
