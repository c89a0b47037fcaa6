module wabi.dev/conformance

go 1.21

require wabi.dev/wabi v0.0.0

replace wabi.dev/wabi => ../../../guest-sdk/go
