@rem TEST STAND-IN for WDT validateModel.cmd (Windows; unused)
