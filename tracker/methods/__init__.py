"""Method recommendation: which delivery method a project's uncertainty calls for."""
