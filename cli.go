package flagon

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// The app's command line (Flask's app.cli): App.Command registers the
// app's own commands, App.CommandLine dispatches a command line to them and
// to the built-in "run" and "routes", and App.Main is CommandLine on the
// process's arguments and streams.

// Command is one run of a command of the app's command line: what the
// function given to App.Command gets. It defines its flags on Flags and
// calls Parse before reading them; the rest of the line is Flags.Args().
type Command struct {
	Name   string        // the command's name, as typed
	App    *App          // the app, with its configuration and resources
	Args   []string      // the arguments after the command's name
	Flags  *flag.FlagSet // empty until the command defines its flags
	Stdout io.Writer     // where the command writes its output
	Stderr io.Writer     // where it writes diagnostics
}

// Parse parses Args with Flags. A command returns its error: "-h" or
// "--help" is flag.ErrHelp, which CommandLine answers with the command's
// flags and exit status 0; a malformed flag exits 2 (the FlagSet has
// printed why).
func (cmd *Command) Parse() error {
	err := cmd.Flags.Parse(cmd.Args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// usageError is a flag error the FlagSet has already reported.
type usageError struct{ err error }

func (e usageError) Error() string        { return e.err.Error() }
func (e usageError) Unwrap() error        { return e.err }
func (e usageError) Is(target error) bool { return target == errUsage }

// command is a registered command.
type command struct {
	name, help string
	run        func(cmd *Command) error
}

// errUsage marks a usage mistake already reported on the command's stderr.
var errUsage = errors.New("usage")

// Command registers the command name (such as "init-db") of the app's
// command line, with help, one line shown by --help, and run, called with
// the command's arguments (see CommandLine). It panics when name is empty,
// contains spaces or starts with "-", is "run", "routes" or "help" (built
// in), or is registered twice.
func (a *App) Command(name, help string, run func(cmd *Command) error) {
	switch {
	case name == "" || strings.ContainsAny(name, " \t\n") || strings.HasPrefix(name, "-"):
		panic(fmt.Sprintf("flagon: command name %q at %s is not a word such as \"init-db\"", name, callSite()))
	case name == "run" || name == "routes" || name == "help":
		panic(fmt.Sprintf("flagon: command %q at %s is built in; choose another name", name, callSite()))
	case run == nil:
		panic(fmt.Sprintf("flagon: command %q at %s has a nil function", name, callSite()))
	}
	for _, c := range a.commands {
		if c.name == name {
			panic(fmt.Sprintf("flagon: command %q registered twice (at %s)", name, callSite()))
		}
	}
	a.commands = append(a.commands, command{name: name, help: help, run: run})
}

// Main runs the app's command line on the process's arguments and exits
// with its status (see CommandLine). A program's main registers its routes
// and commands, then calls app.Main().
func (a *App) Main() {
	os.Exit(a.CommandLine(os.Args[1:], os.Stdout, os.Stderr))
}

// CommandLine runs the command args name, with the rest of args, writing
// to stdout and stderr, and returns the exit status: 0 on success, 1 when
// the command returns an error (printed as "Error: ..."), 2 for a usage
// mistake (no command, an unknown one, a malformed flag). "--help", "-h"
// and "help" list every command. Built in are
//
//	run [--debug] [--addr host:port]   serve the app with App.Run
//	routes [--sort rule|endpoint|method]  print the route table
//
// run's --debug defaults to Config.Debug and --addr to Config.Addr; it
// serves until SIGINT or SIGTERM and writes its banner, and in debug mode
// its request log, on stderr. Tests call CommandLine with buffers, as
// Flask's test_cli_runner does.
func (a *App) CommandLine(args []string, stdout, stderr io.Writer) int {
	prog := filepath.Base(os.Args[0])
	if len(args) == 0 {
		a.usage(stderr, prog)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		a.usage(stdout, prog)
		return 0
	}
	run := a.builtin(name)
	if run == nil {
		i := slices.IndexFunc(a.commands, func(c command) bool { return c.name == name })
		if i < 0 {
			fmt.Fprintf(stderr, "Error: no such command %q.\n\n", name)
			a.usage(stderr, prog)
			return 2
		}
		run = a.commands[i].run
	}
	fs := flag.NewFlagSet(prog+" "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	err := run(&Command{Name: name, App: a, Args: args[1:], Flags: fs, Stdout: stdout, Stderr: stderr})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	return 1
}

// usage lists the commands, sorted by name.
func (a *App) usage(w io.Writer, prog string) {
	type entry struct{ name, help string }
	list := []entry{
		{"routes", "Show the routes: methods, rule and endpoint (--sort rule|endpoint|method)."},
		{"run", "Serve the app (--debug, --addr host:port)."},
	}
	for _, c := range a.commands {
		list = append(list, entry{c.name, c.help})
	}
	slices.SortFunc(list, func(x, y entry) int { return strings.Compare(x.name, y.name) })
	fmt.Fprintf(w, "Usage: %s COMMAND [ARGS]\n\nCommands:\n", prog)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, e := range list {
		fmt.Fprintf(tw, "  %s\t%s\n", e.name, e.help)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nRun \"%s COMMAND --help\" for a command's flags.\n", prog)
}

// builtin returns the built-in command name, or nil.
func (a *App) builtin(name string) func(cmd *Command) error {
	switch name {
	case "run":
		return a.runCommand
	case "routes":
		return a.routesCommand
	}
	return nil
}

func (a *App) runCommand(cmd *Command) error {
	debug := cmd.Flags.Bool("debug", a.Config.Debug, "debug mode: debug pages, the route table, a log line per request")
	addr := cmd.Flags.String("addr", a.Config.Addr, `the address: "host:port" or "unix:/path"`)
	if err := cmd.Parse(); err != nil {
		return err
	}
	if cmd.Flags.NArg() > 0 {
		fmt.Fprintf(cmd.Stderr, "run takes no arguments, got %q\n", cmd.Flags.Args())
		cmd.Flags.Usage()
		return errUsage
	}
	a.Config.Addr = *addr
	a.console = cmd.Stderr
	return a.Run(*debug)
}

func (a *App) routesCommand(cmd *Command) error {
	by := cmd.Flags.String("sort", "rule", "sort by rule, endpoint or method")
	if err := cmd.Parse(); err != nil {
		return err
	}
	if *by != "rule" && *by != "endpoint" && *by != "method" {
		fmt.Fprintf(cmd.Stderr, "--sort %q: use rule, endpoint or method\n", *by)
		return errUsage
	}
	a.ensureStatic() // the static folder's route, as the served app has it
	writeRoutes(cmd.Stdout, a.Routes(), *by)
	return nil
}

// writeRoutes prints one line per rule and endpoint, with its methods.
func writeRoutes(w io.Writer, routes []RouteInfo, by string) {
	type row struct{ endpoint, methods, rule string }
	var rows []row
	for _, r := range routes { // sorted by rule then method: a route's methods are adjacent
		ep := r.Endpoint
		if ep == "" {
			ep = "-"
		}
		if n := len(rows); n > 0 && rows[n-1].rule == r.Rule && rows[n-1].endpoint == ep {
			rows[n-1].methods += ", " + r.Method
			continue
		}
		rows = append(rows, row{ep, r.Method, r.Rule})
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		switch by {
		case "endpoint":
			return strings.Compare(x.endpoint, y.endpoint)
		case "method":
			return strings.Compare(x.methods, y.methods)
		}
		return 0 // already by rule
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Endpoint\tMethods\tRule")
	fmt.Fprintln(tw, "--------\t-------\t----")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.endpoint, r.methods, r.rule)
	}
	_ = tw.Flush()
}
