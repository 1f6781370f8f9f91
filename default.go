package eproc

import (
	"context"
	"syscall"
	"time"
)

// Package-level functions acting on Default: every entry point of a
// Runtime has one, except Close and Config, which belong to whoever made
// the Runtime (Default is never closed).

// Call calls Default.Call.
func Call(ctx context.Context, a CallProcessArgs) (CallStatus, error) { return Default.Call(ctx, a) }

// CallProcess calls Default.CallProcess.
func CallProcess(program, infile string, dest Destination, args ...string) (CallStatus, error) {
	return Default.CallProcess(program, infile, dest, args...)
}

// ShellCommandToString calls Default.ShellCommandToString.
func ShellCommandToString(command string) (string, error) {
	return Default.ShellCommandToString(command)
}

// ShellCommandOutput calls Default.ShellCommandOutput.
func ShellCommandOutput(ctx context.Context, command string) (string, CallStatus, error) {
	return Default.ShellCommandOutput(ctx, command)
}

// ProcessLines calls Default.ProcessLines.
func ProcessLines(program string, args ...string) ([]string, error) {
	return Default.ProcessLines(program, args...)
}

// FindFileNameHandler calls Default.FindFileNameHandler.
func FindFileNameHandler(name string) FileHandler { return Default.FindFileNameHandler(name) }

// FileRemoteP calls Default.FileRemoteP.
func FileRemoteP(name string) string { return Default.FileRemoteP(name) }

// StartFileProcess calls Default.StartFileProcess.
func StartFileProcess(name string, buf *Buffer, program string, args ...string) (*Process, error) {
	return Default.StartFileProcess(name, buf, program, args...)
}

// StartFileProcessShellCommand calls Default.StartFileProcessShellCommand.
func StartFileProcessShellCommand(name string, buf *Buffer, command string) (*Process, error) {
	return Default.StartFileProcessShellCommand(name, buf, command)
}

// ProcessFile calls Default.ProcessFile.
func ProcessFile(program, infile string, dest Destination, args ...string) (CallStatus, error) {
	return Default.ProcessFile(program, infile, dest, args...)
}

// ListProcesses calls Default.ListProcesses.
func ListProcesses(queryOnly bool) *Buffer { return Default.ListProcesses(queryOnly) }

// MakeProcess calls Default.MakeProcess.
func MakeProcess(a ProcessArgs) (*Process, error) { return Default.MakeProcess(a) }

// MakePipeProcess calls Default.MakePipeProcess.
func MakePipeProcess(a PipeArgs) (*Process, error) { return Default.MakePipeProcess(a) }

// StartProcess calls Default.StartProcess.
func StartProcess(name string, buf *Buffer, program string, args ...string) (*Process, error) {
	return Default.StartProcess(name, buf, program, args...)
}

// StartProcessShellCommand calls Default.StartProcessShellCommand.
func StartProcessShellCommand(name string, buf *Buffer, command string) (*Process, error) {
	return Default.StartProcessShellCommand(name, buf, command)
}

// GetProcess calls Default.GetProcess.
func GetProcess(name string) *Process { return Default.GetProcess(name) }

// GetBufferProcess calls Default.GetBufferProcess.
func GetBufferProcess(b *Buffer) *Process { return Default.GetBufferProcess(b) }

// ProcessList calls Default.ProcessList.
func ProcessList() []*Process { return Default.ProcessList() }

// AcceptProcessOutput calls Default.AcceptProcessOutput.
func AcceptProcessOutput(p *Process, timeout time.Duration, justThisOne bool) bool {
	return Default.AcceptProcessOutput(p, timeout, justThisOne)
}

// SitFor calls Default.SitFor.
func SitFor(d time.Duration) { Default.SitFor(d) }

// GetBufferCreate calls Default.GetBufferCreate.
func GetBufferCreate(name string) *Buffer { return Default.GetBufferCreate(name) }

// GetBuffer calls Default.GetBuffer.
func GetBuffer(name string) *Buffer { return Default.GetBuffer(name) }

// GenerateNewBuffer calls Default.GenerateNewBuffer.
func GenerateNewBuffer(name string) *Buffer { return Default.GenerateNewBuffer(name) }

// SignalProcess calls Default.SignalProcess.
func SignalProcess(process any, signal any) error { return Default.SignalProcess(process, signal) }

// MakeSerialProcess calls Default.MakeSerialProcess.
func MakeSerialProcess(a SerialArgs) (*Process, error) { return Default.MakeSerialProcess(a) }

// TQCreate calls Default.TQCreate.
func TQCreate(p *Process) *TQ { return Default.TQCreate(p) }

// BufferList calls Default.BufferList.
func BufferList() []*Buffer { return Default.BufferList() }

// GenerateNewBufferName calls Default.GenerateNewBufferName.
func GenerateNewBufferName(name string) string { return Default.GenerateNewBufferName(name) }

// CallProcessContext calls Default.CallProcessContext.
func CallProcessContext(ctx context.Context, program, infile string, dest Destination, args ...string) (CallStatus, error) {
	return Default.CallProcessContext(ctx, program, infile, dest, args...)
}

// CallProcessRegion calls Default.CallProcessRegion.
func CallProcessRegion(b *Buffer, start, end int, program string, deleteRegion bool, dest Destination, args ...string) (CallStatus, error) {
	return Default.CallProcessRegion(b, start, end, program, deleteRegion, dest, args...)
}

// CallProcessShellCommand calls Default.CallProcessShellCommand.
func CallProcessShellCommand(command, infile string, dest Destination, args ...string) (CallStatus, error) {
	return Default.CallProcessShellCommand(command, infile, dest, args...)
}

// MakeNetworkProcess calls Default.MakeNetworkProcess.
func MakeNetworkProcess(a NetworkArgs) (*Process, error) { return Default.MakeNetworkProcess(a) }

// OpenNetworkStream calls Default.OpenNetworkStream.
func OpenNetworkStream(name string, buf *Buffer, host, service string) (*Process, error) {
	return Default.OpenNetworkStream(name, buf, host, service)
}

// ProcessFileContext calls Default.ProcessFileContext.
func ProcessFileContext(ctx context.Context, a ProcessFileArgs) (CallStatus, error) {
	return Default.ProcessFileContext(ctx, a)
}

// ProcessFileShellCommand calls Default.ProcessFileShellCommand.
func ProcessFileShellCommand(command, infile string, dest Destination, args ...string) (CallStatus, error) {
	return Default.ProcessFileShellCommand(command, infile, dest, args...)
}

// ProcessLinesIgnoreStatus calls Default.ProcessLinesIgnoreStatus.
func ProcessLinesIgnoreStatus(program string, args ...string) ([]string, error) {
	return Default.ProcessLinesIgnoreStatus(program, args...)
}

// Run calls Default.Run.
func Run(ctx context.Context) error { return Default.Run(ctx) }

// WaitEvent calls Default.WaitEvent.
func WaitEvent(ctx context.Context) error { return Default.WaitEvent(ctx) }

// SignalPID calls Default.SignalPID.
func SignalPID(pid int, sig syscall.Signal) error { return Default.SignalPID(pid, sig) }
