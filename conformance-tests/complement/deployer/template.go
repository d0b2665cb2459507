package deployer

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Each test deploys fresh servers, and a fresh Cairn spends most of its start creating and
// migrating its embedded database (about 4.5 s, against under 2 s on a migrated one). So the
// first deployment of a test binary starts Cairn once on a template data dir, stops it, and every
// server after that starts on a copy. Startup writes nothing server-specific to the database; the
// signing key, the shared secret and the self-signed federation certificate, which are, are
// removed from the template.
var (
	templateOnce sync.Once
	templateRoot string
	templateDir  string
	templateErr  error
)

func migratedTemplate(s *settings, timeout time.Duration) (string, error) {
	templateOnce.Do(func() {
		templateDir, templateErr = buildTemplate(s, timeout)
	})
	return templateDir, templateErr
}

func buildTemplate(s *settings, timeout time.Duration) (string, error) {
	root, err := os.MkdirTemp(s.outDir, "template-")
	if err != nil {
		return "", err
	}
	templateRoot = root
	dataDir := filepath.Join(root, "data")
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	hs, err := newHomeserver(s, "template", dataDir, filepath.Join(root, "template.log"), nil)
	if err != nil {
		return "", err
	}
	if err := hs.start(s, timeout); err != nil {
		return "", fmt.Errorf("building the data dir template: %w", err)
	}
	if err := hs.stop(timeout); err != nil {
		return "", fmt.Errorf("building the data dir template: %w", err)
	}
	for _, name := range []string{"signing.key", "registration_shared_secret", "running.json", "federation-tls"} {
		if err := os.RemoveAll(filepath.Join(dataDir, name)); err != nil {
			return "", err
		}
	}
	return dataDir, nil
}

// removeTemplate deletes the template when the package's tests are done (its log stays).
func removeTemplate() {
	if templateRoot != "" {
		os.RemoveAll(filepath.Join(templateRoot, "data"))
	}
}

// copyTree copies a directory of regular files, keeping their permissions.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := entry.Info()
		if err != nil {
			return err
		}
		if entry.IsDir() {
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("copyTree: %s is not a regular file", path)
		}
		return copyFile(path, target, info.Mode().Perm())
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
