@rem TEST STAND-IN for WDT createDomain.cmd (Windows; unused)
