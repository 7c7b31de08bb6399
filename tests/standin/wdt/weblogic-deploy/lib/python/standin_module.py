# stand-in WDT module
