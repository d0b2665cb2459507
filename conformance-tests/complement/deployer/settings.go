package deployer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// settings are the deployer's own knobs, read from the environment that run.sh sets. Complement's
// test binaries run with their package directory (in the Go module cache) as working directory,
// so every path here must be absolute.
type settings struct {
	// CAIRN_REPO_DIR: the Cairn checkout whose bin/cairn.js is started.
	repoDir string
	// CAIRN_COMPLEMENT_OUT_DIR: where server logs and data dirs go (default: a temp dir).
	outDir string
	// CAIRN_NODE: the node binary (default: `node` on PATH; Cairn needs Node >= 24).
	node string
	// CAIRN_COMPLEMENT_LOG_LEVEL: Cairn's log level (default info).
	logLevel string
	// CAIRN_COMPLEMENT_TEMPLATE=0 turns off the migrated data dir template (see template.go).
	useTemplate bool
	// CAIRN_COMPLEMENT_KEEP_DATA=1 keeps each server's data dir after its deployment is destroyed.
	keepData bool
}

func loadSettings() (*settings, error) {
	s := &settings{
		repoDir:     os.Getenv("CAIRN_REPO_DIR"),
		outDir:      os.Getenv("CAIRN_COMPLEMENT_OUT_DIR"),
		node:        os.Getenv("CAIRN_NODE"),
		logLevel:    os.Getenv("CAIRN_COMPLEMENT_LOG_LEVEL"),
		useTemplate: os.Getenv("CAIRN_COMPLEMENT_TEMPLATE") != "0",
		keepData:    os.Getenv("CAIRN_COMPLEMENT_KEEP_DATA") == "1",
	}
	if s.repoDir == "" {
		return nil, fmt.Errorf("CAIRN_REPO_DIR is not set: run Complement through conformance-tests/complement/run.sh")
	}
	if !filepath.IsAbs(s.repoDir) {
		return nil, fmt.Errorf("CAIRN_REPO_DIR must be absolute, got %q", s.repoDir)
	}
	if _, err := os.Stat(s.cairnScript()); err != nil {
		return nil, fmt.Errorf("CAIRN_REPO_DIR: %w", err)
	}
	if s.outDir == "" {
		dir, err := os.MkdirTemp("", "cairn-complement-")
		if err != nil {
			return nil, err
		}
		s.outDir = dir
	}
	if s.node == "" {
		node, err := exec.LookPath("node")
		if err != nil {
			return nil, fmt.Errorf("no node on PATH (Cairn needs Node >= 24): %w", err)
		}
		s.node = node
	}
	if s.logLevel == "" {
		s.logLevel = "info"
	}
	return s, nil
}

func (s *settings) cairnScript() string {
	return filepath.Join(s.repoDir, "bin", "cairn.js")
}
