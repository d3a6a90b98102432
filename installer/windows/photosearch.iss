; Inno Setup script: per-user installer for the PyInstaller one-folder build (no admin rights).
;
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\photosearch.spec
;   iscc /DAppVersion=0.1.0 /DFlavour=cpu installer\windows\photosearch.iss
;
; Input: dist\photosearch\ (photosearch.exe = windowed app, photosearch-cli.exe = console).
; Output: dist\photosearch-<version>-windows-x64-<flavour>-setup.exe
; Installs to %LOCALAPPDATA%\Programs\photosearch, adds a Start menu entry and an
; uninstaller (Settings > Apps). The user's library, caches and logs live in the user's
; AppData dirs (platformdirs) and are kept on uninstall, like the photos themselves.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef Flavour
  #define Flavour "cpu"
#endif
#define Root AddBackslash(SourcePath) + "..\.."

[Setup]
AppId={{6B0F3C2E-8E1A-4C55-9A57-2F1D3A6C9B10}
AppName=photosearch
AppVersion={#AppVersion}
AppPublisher=photosearch developers
AppPublisherURL=https://github.com/photosearch/photosearch
; {autopf} is %LOCALAPPDATA%\Programs for a per-user (lowest privileges) install.
DefaultDirName={autopf}\photosearch
DefaultGroupName=photosearch
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#Root}\dist
OutputBaseFilename=photosearch-{#AppVersion}-windows-x64-{#Flavour}-setup
SetupIconFile={#Root}\resources\icons\photosearch.ico
UninstallDisplayIcon={app}\photosearch.exe
UninstallDisplayName=photosearch
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A CUDA build is several GB: disk spanning stays off, so one .exe holds it (up to 4 GB).
DiskSpanning=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\photosearch\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\photosearch"; Filename: "{app}\photosearch.exe"; Comment: "Search, tag and de-duplicate your photos"
Name: "{autodesktop}\photosearch"; Filename: "{app}\photosearch.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\photosearch.exe"; Description: "{cm:LaunchProgram,photosearch}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the installer put there: the app dir. User data in AppData is left alone.
Type: filesandordirs; Name: "{app}"
