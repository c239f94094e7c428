module page-tracker/strict-proxy

go 1.19
