#!/usr/bin/env bash
# Creates a new workspace project: tools/scripts/scaffold.sh <dir> <@baql/name> <type:lib|type:app|type:tool> <scope> [deps...]
# Writes package.json (with the "nx" tags), tsconfig.json (typecheck incl. tests), tsconfig.build.json (src -> dist)
# and vitest.config.ts. Add the new build tsconfig to the root tsconfig.build.json references.
set -euo pipefail
dir=$1; name=$2; type=$3; scope=$4; shift 4
mkdir -p "$dir/src"
private=true; [ "$type" = "type:lib" ] && private=false
deps=""
refs=""
for d in "$@"; do
  deps="$deps\"$d\": \"*\","
  short=${d#@baql/}
  for base in packages apps tools; do
    if [ -d "$base/$short" ]; then refs="$refs{ \"path\": \"../../$base/$short/tsconfig.build.json\" },"; fi
  done
done
deps=${deps%,}; refs=${refs%,}
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.0.0",
  "private": $private,
  "type": "module",
  "license": "MIT",
  "engines": { "node": ">=20.19.0" },
  "exports": {
    ".": {
      "@baql/source": "./src/index.ts",
      "types": "./dist/index.d.ts",
      "default": "./dist/index.js"
    }
  },
  "files": ["dist", "README.md"],
  "scripts": {
    "build": "tsc -b tsconfig.build.json",
    "typecheck": "tsc -p tsconfig.json --noEmit",
    "lint": "eslint .",
    "test": "vitest run"
  },
  "dependencies": { $deps },
  "nx": { "tags": ["$type", "scope:$scope"] }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true },
  "include": ["src/**/*.ts", "test/**/*.ts", "vitest.config.ts"]
}
JSON
cat > "$dir/tsconfig.build.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": {
    "composite": true,
    "rootDir": "src",
    "outDir": "dist",
    "customConditions": [],
    "tsBuildInfoFile": "dist/tsconfig.build.tsbuildinfo"
  },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.test.ts"],
  "references": [ $refs ]
}
JSON
cat > "$dir/vitest.config.ts" <<'TS'
import { defineProject } from 'vitest/config';
import { sourceConditions } from '../../vitest.shared.js';

export default defineProject({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: { include: ['test/**/*.test.ts', 'src/**/*.test.ts'], testTimeout: 30_000 },
});
TS
