#!/usr/bin/env bash
# Builds infra/main.bicep to ARM JSON and lints it with the Bicep CLI from the NuGet package
# Azure.Bicep.CommandLine.linux-x64. Any diagnostic (error or warning) fails the script.
#
#   eng/bicep.sh [output-dir]      output-dir defaults to .tools/arm; main.json is written there
#
# The CLI is restored once through `dotnet restore` (so the machine's NuGet configuration and cache apply)
# and then linked from .tools/bicep/<version>/; later runs only compile.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${BICEP_VERSION:-0.49.2}"
package="azure.bicep.commandline.linux-x64"
tools="$repo/.tools"
cli="$tools/bicep/$version/bicep"
out="${1:-$tools/arm}"

restore_cli() {
  local project_dir="$tools/bicep/restore"
  mkdir -p "$project_dir" "$(dirname "$cli")"
  cat >"$project_dir/BicepCli.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" />
  </ItemGroup>
</Project>
PROJECT
  # The throwaway project lives inside the repository: keep the repository's build settings out of it.
  dotnet restore "$project_dir/BicepCli.csproj" --nologo --verbosity quiet \
    -p:ImportDirectoryBuildProps=false -p:ImportDirectoryPackagesProps=false >&2
  local packages
  packages="${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')}"
  local binary="${packages%/}/$package/$version/tools/bicep"
  if [[ ! -f "$binary" ]]; then
    echo "bicep.sh: restore finished but $binary is missing" >&2
    exit 1
  fi
  chmod +x "$binary"
  ln -sf "$binary" "$cli"
}

if [[ ! -x "$cli" ]]; then
  restore_cli
fi

mkdir -p "$out"
# The CLI prints diagnostics only; a clean build prints nothing. Module restore is off: every module is local.
diagnostics="$("$cli" build "$repo/infra/main.bicep" --outdir "$out" --no-restore 2>&1)" || {
  echo "$diagnostics" >&2
  echo "bicep.sh: build failed" >&2
  exit 1
}
lint="$("$cli" lint "$repo/infra/main.bicep" --no-restore 2>&1)" || {
  echo "$lint" >&2
  echo "bicep.sh: lint failed" >&2
  exit 1
}
if [[ -n "$diagnostics$lint" ]]; then
  printf '%s\n' "$diagnostics" "$lint" | sed '/^$/d' >&2
  echo "bicep.sh: diagnostics reported; warnings are not allowed" >&2
  exit 1
fi
echo "bicep.sh: infra/main.bicep -> $out/main.json (Bicep $version, no diagnostics)"
