@rem TEST STAND-IN for WDT deployApps.cmd (Windows; unused)
