# Build the Windows installer: PyInstaller one-folder bundle, then an Inno Setup per-user setup.exe.
#
#   powershell -ExecutionPolicy Bypass -File installer\windows\build_windows.ps1 [-Python .venv\Scripts\python.exe] [-BundleModel C:\path\weights.safetensors]
#
# Needs: a venv with the project and PyInstaller (pip install -e .[package]); Inno Setup 6
# (iscc.exe on PATH or in its default folder; `choco install innosetup`).
# The torch build in the venv decides the size: install the CPU wheel for a small installer:
#   pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu
param(
  [string]$Python = ".venv\Scripts\python.exe",
  [string]$BundleModel = "",
  [string]$ModelId = ""
)
$ErrorActionPreference = "Stop"
Set-Location (Resolve-Path "$PSScriptRoot\..\..")

$version = & $Python -c "import photosearch; print(photosearch.__version__)"
$flavour = & $Python -c "import sys; sys.path.insert(0, 'installer'); import bundle_contents as b; print(b.torch_flavour())"
if ($BundleModel) { $env:PHOTOSEARCH_BUNDLE_MODEL = $BundleModel }
if ($ModelId) { $env:PHOTOSEARCH_BUNDLE_MODEL_ID = $ModelId }

$t0 = Get-Date
& $Python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller installer\photosearch.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
& dist\photosearch\photosearch-cli.exe --version
if ($LASTEXITCODE -ne 0) { throw "the bundle does not start" }
$t1 = Get-Date

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
if (-not (Test-Path $iscc)) { throw "Inno Setup 6 not found: choco install innosetup" }
& $iscc /Q "/DAppVersion=$version" "/DFlavour=$flavour" installer\windows\photosearch.iss
if ($LASTEXITCODE -ne 0) { throw "iscc failed" }
$t2 = Get-Date

$bundleMb = [math]::Round((Get-ChildItem dist\photosearch -Recurse -File | Measure-Object Length -Sum).Sum / 1MB)
$setup = Get-Item "dist\photosearch-$version-windows-x64-$flavour-setup.exe"
"pyinstaller_s: $([math]::Round(($t1 - $t0).TotalSeconds)); iscc_s: $([math]::Round(($t2 - $t1).TotalSeconds)); bundle_mb: $bundleMb; setup_mb: $([math]::Round($setup.Length / 1MB)) $($setup.Name)" |
  Tee-Object dist\build-info.txt
