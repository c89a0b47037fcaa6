module wabi.dev/wabi

go 1.21
