// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi engine.
//
// The upstream host is a separate Go module that our machines cannot fetch, so the toolchain
// builds this one instead. It covers what this project needs: running a TypeScript program
// (`Run`) and running Node.js plugins such as policy packs (`RunPlugin`). Both start the
// entry points that `@pulumi/pulumi` ships in the program's own node_modules.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

const version = "3.274.1"

// exitAfterReportedError is the code @pulumi/pulumi's run script exits with once it has
// already reported the program's error to the engine.
const exitAfterReportedError = 32

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-nodejs [flags] <engine-address>")
		os.Exit(2)
	}
	host := &languageHost{engineAddress: os.Args[len(os.Args)-1]}
	go exitWithEngine()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		os.Exit(1)
	}
}

// exitWithEngine ends the host, and the Node.js processes it started, once the engine that started
// it is gone (a killed `pulumi`): the host is then adopted by another parent.
func exitWithEngine() {
	engine := os.Getppid()
	for range time.Tick(500 * time.Millisecond) {
		if os.Getppid() != engine {
			children.killAll()
			os.Exit(1)
		}
	}
}

// children are the Node.js processes the host runs, so that they can be stopped with it.
var children = &processes{running: map[*exec.Cmd]struct{}{}}

type processes struct {
	sync.Mutex
	running map[*exec.Cmd]struct{}
}

// run runs cmd to its end, known as a child meanwhile.
func (p *processes) run(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	p.Lock()
	p.running[cmd] = struct{}{}
	p.Unlock()
	defer func() {
		p.Lock()
		delete(p.running, cmd)
		p.Unlock()
	}()
	return cmd.Wait()
}

func (p *processes) killAll() {
	p.Lock()
	defer p.Unlock()
	for cmd := range p.running {
		_ = cmd.Process.Kill()
	}
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPackages reports nothing: plugins are on PATH and the engine loads each
// provider when the program first registers one of its resources.
func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	entryPoint := req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = "."
	}
	args := []string{
		pulumiEntryPoint(programDir, "run"),
		"--monitor=" + req.GetMonitorAddress(),
		"--engine=" + h.engineAddress,
		"--organization=" + req.GetOrganization(),
		"--project=" + req.GetProject(),
		"--stack=" + req.GetStack(),
		"--pwd=" + req.GetPwd(),
		"--root-directory=" + req.GetInfo().GetRootDirectory(),
		"--parallel=" + strconv.Itoa(int(req.GetParallel())),
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	env, err := programEnv(req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr

	var exitErr *exec.ExitError
	switch err := children.run(cmd); {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exitErr) && exitErr.ExitCode() == exitAfterReportedError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exitErr):
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	default:
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
}

// RunPlugin starts a Node.js plugin from its folder: a policy pack (kind "analyzer")
// or a resource provider, streaming its output back to the engine.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	pluginDir := req.GetInfo().GetProgramDirectory()
	var args []string
	if req.GetKind() == "analyzer" {
		// run-policy-pack takes the engine address, then the folder of the pack.
		args = append([]string{pulumiEntryPoint(pluginDir, "run-policy-pack")}, req.GetArgs()...)
		args = append(args, pluginDir)
	} else {
		args = append([]string{pulumiEntryPoint(pluginDir, "run-plugin"), pluginDir}, req.GetArgs()...)
	}

	cmd := exec.CommandContext(stream.Context(), "node", args...)
	cmd.Dir = pluginDir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	cmd.Stdout = streamWriter{stream, false}
	cmd.Stderr = streamWriter{stream, true}

	code := int32(0)
	var exitErr *exec.ExitError
	if err := children.run(cmd); errors.As(err, &exitErr) {
		code = int32(exitErr.ExitCode())
	} else if err != nil {
		return err
	}
	return stream.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}

type streamWriter struct {
	stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	data := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: data}}
	if w.stderr {
		msg = &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: data}}
	}
	if err := w.stream.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

var _ io.Writer = streamWriter{}

// pulumiEntryPoint is one of the scripts under @pulumi/pulumi/cmd in the project's node_modules.
func pulumiEntryPoint(dir, name string) string {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", name)
		if _, err := os.Stat(candidate); err == nil {
			return candidate
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", name)
		}
	}
}

// programEnv passes config the way @pulumi/pulumi reads it, and turns on its TypeScript
// support unless Pulumi.yaml sets `runtime.options.typescript: false`.
func programEnv(req *pulumirpc.RunRequest) ([]string, error) {
	// A stack without config still gets an object and a list: @pulumi/pulumi cannot read `null`.
	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeyList := req.GetConfigSecretKeys()
	if secretKeyList == nil {
		secretKeyList = []string{}
	}
	secretKeys, err := json.Marshal(secretKeyList)
	if err != nil {
		return nil, err
	}
	typescript := "true"
	options := req.GetInfo().GetOptions().AsMap()
	if ts, ok := options["typescript"].(bool); ok && !ts {
		typescript = "false"
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_NODEJS_TYPESCRIPT="+typescript,
	)
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	return env, nil
}
