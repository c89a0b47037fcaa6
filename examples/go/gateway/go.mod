module wabi.dev/examples/gateway

go 1.21

require wabi.dev/wabi v0.0.0

replace wabi.dev/wabi => ../../../guest-sdk/go
