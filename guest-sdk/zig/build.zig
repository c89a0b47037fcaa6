//! The wabi Zig guest SDK as a Zig package.
//!
//! In a plugin's build.zig (with this package as the dependency "wabi" in build.zig.zon):
//!
//!     const wabi = @import("wabi");
//!     const plugin = wabi.addPlugin(b, b.dependency("wabi", .{}), .{
//!         .name = "my-plugin",
//!         .root_source_file = b.path("src/main.zig"),
//!         .optimize = .ReleaseSmall,
//!     });
//!     b.installArtifact(plugin);
//!
//! Here: `zig build` builds the examples into zig-out/bin, `zig build test` runs the native
//! tests of the codec and of outbound HTTP.

const std = @import("std");

pub const PluginOptions = struct {
    name: []const u8,
    root_source_file: std.Build.LazyPath,
    optimize: std.builtin.OptimizeMode = .ReleaseSmall,
    /// wasm32-freestanding (the default) or wasm32-wasi.
    os_tag: std.Target.Os.Tag = .freestanding,
};

/// A wabi plugin: a wasm32 executable without an entry point (no `_start`: a reactor, ABI 3)
/// that exports its `export`ed and `@export`ed symbols and imports the module "wabi".
pub fn addPlugin(b: *std.Build, wabi_dep: *std.Build.Dependency, options: PluginOptions) *std.Build.Step.Compile {
    return addPluginWith(b, wabi_dep.module("wabi"), options);
}

fn addPluginWith(b: *std.Build, wabi_module: *std.Build.Module, options: PluginOptions) *std.Build.Step.Compile {
    const exe = b.addExecutable(.{
        .name = options.name,
        .root_source_file = options.root_source_file,
        .target = b.resolveTargetQuery(.{ .cpu_arch = .wasm32, .os_tag = options.os_tag }),
        .optimize = options.optimize,
        .strip = options.optimize != .Debug,
    });
    exe.entry = .disabled;
    exe.rdynamic = true;
    exe.root_module.addImport("wabi", wabi_module);
    return exe;
}

pub fn build(b: *std.Build) void {
    const optimize = b.option(std.builtin.OptimizeMode, "optimize", "Optimization mode of the examples (default ReleaseSmall)") orelse .ReleaseSmall;
    const wabi_module = b.addModule("wabi", .{ .root_source_file = b.path("src/wabi.zig") });

    for ([_][]const u8{ "minimal", "greet" }) |name| {
        b.installArtifact(addPluginWith(b, wabi_module, .{
            .name = name,
            .root_source_file = b.path(b.fmt("examples/{s}.zig", .{name})),
            .optimize = optimize,
        }));
    }

    const test_step = b.step("test", "Run the native tests of the codec and of outbound HTTP");
    for ([_][]const u8{ "src/msgpack_test.zig", "src/http_test.zig" }) |file| {
        const tests = b.addTest(.{
            .root_source_file = b.path(file),
            .target = b.graph.host,
        });
        const run = b.addRunArtifact(tests);
        run.setEnvironmentVariable("WABI_VECTORS", b.pathFromRoot("../../abi-spec/vectors/values.json"));
        run.setEnvironmentVariable("WABI_HTTP_VECTORS", b.pathFromRoot("../../abi-spec/vectors/http.json"));
        test_step.dependOn(&run.step);
    }
}
