package wabi

// Level is the level of a log line (ABI section 4).
type Level uint32

// Log levels.
const (
	LevelTrace Level = 0
	LevelDebug Level = 1
	LevelInfo  Level = 2
	LevelWarn  Level = 3
	LevelError Level = 4
)

// Log emits one log line through the wabi.log import (no WASI involved: works with TinyGo's
// -target=wasm-unknown too). The host replaces invalid UTF-8 and may truncate long lines.
func Log(level Level, msg string) { writeLog(uint32(level), msg) }

// Trace logs msg at trace level.
func Trace(msg string) { writeLog(uint32(LevelTrace), msg) }

// Debug logs msg at debug level.
func Debug(msg string) { writeLog(uint32(LevelDebug), msg) }

// Info logs msg at info level.
func Info(msg string) { writeLog(uint32(LevelInfo), msg) }

// Warn logs msg at warn level.
func Warn(msg string) { writeLog(uint32(LevelWarn), msg) }

// Error logs msg at error level.
func Error(msg string) { writeLog(uint32(LevelError), msg) }
