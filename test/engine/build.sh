#!/usr/bin/env bash
# Builds the real Pulumi engine the engine tests run: the CLI and its Node.js language host,
# from the Go module proxy with the ordinary go tool (no download site, no fetched source in the
# repository). The versions are pinned in test/engine/{cli,language-nodejs}/go.mod (+ go.sum).
# Binaries go to .lab/engine/<key>/bin, <key> a digest of those files, so a second run with the
# same pins builds nothing; Go's module and build caches are the machine's, kept between runs.
# Prints the bin dir on stdout (last line) and each build's time on stderr.
#
# The provider plugins the program uses (docker, command, random) are NOT built: the proxy serves
# no version of github.com/pulumi/pulumi-docker/provider, see test/engine/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

key=$(cat "$here"/cli/go.mod "$here"/cli/go.sum "$here"/language-nodejs/go.mod "$here"/language-nodejs/go.sum | sha256sum | cut -c1-16)
bin="$repo/.lab/engine/$key/bin"
if [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-nodejs" ]]; then
    echo "engine $key already built" >&2
    echo "$bin"
    exit 0
fi
# sudo's secure_path drops the Go install's dir on the polyglot machines.
PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null || { echo "engine: go not found (the polyglot machines have it; apt-get install golang-go elsewhere)" >&2; exit 1; }

# The version a module pins, from its go.mod: it is stamped into the binary, as a release build does.
pinned() { sed -n "s#^[[:space:]]*$2 \(v[^ ]*\).*#\1#p" "$here/$1/go.mod" | head -n 1; }

# build MODULE_DIR PACKAGE OUTPUT: -mod=readonly, so a go.sum that does not cover the build fails instead of reaching the network unchecked.
build() {
    local dir=$1 pkg=$2 out=$3 version start=$SECONDS
    version=$(pinned "$dir" github.com/pulumi/pulumi/sdk/v3)
    (cd "$here/$dir" && go build -mod=readonly -trimpath -buildvcs=false \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" -o "$tmp/$out" "$pkg")
    echo "engine: built $out $version in $((SECONDS - start)) s" >&2
}

tmp="$repo/.lab/engine/$key.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
build cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi pulumi
build language-nodejs github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 pulumi-language-nodejs
rm -rf "$bin"
mkdir -p "$(dirname "$bin")"
mv "$tmp" "$bin"
echo "$bin"
