@rem TEST STAND-IN for WDT updateDomain.cmd (Windows; unused)
