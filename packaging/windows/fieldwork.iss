; Inno Setup 6 script: the Windows installer for the one-folder build.
;
;   python packaging\build.py --installer      (passes the defines below)
;   iscc /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0.0 packaging\windows\fieldwork.iss
;
; The installer needs no administrator rights: by default it installs for the
; current user under %LOCALAPPDATA%\Programs\Fieldwork. IT can install for all
; users instead (/ALLUSERS on the command line, run elevated), silently with
; /VERYSILENT /SUPPRESSMSGBOXES. The application writes nothing into the folder
; it is installed in: workspaces go to Documents\Fieldwork, settings and logs to
; %LOCALAPPDATA%\Fieldwork (fieldwork/userdirs.py), so an update or an
; uninstall never touches an inspector's work.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppNumericVersion
  #define AppNumericVersion "0.0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\Fieldwork"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif
#ifndef IconFile
  #define IconFile "..\..\resources\icons\fieldwork.ico"
#endif

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{6E0C5B4A-3F1D-4B8E-9A57-0D2C8F41B7E3}
AppName=Fieldwork
AppVersion={#AppVersion}
AppVerName=Fieldwork {#AppVersion}
AppPublisher=Fieldwork
AppCopyright=Fieldwork contributors, MIT licence
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductName=Fieldwork
VersionInfoDescription=Fieldwork installer
DefaultDirName={autopf}\Fieldwork
DefaultGroupName=Fieldwork
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=Fieldwork-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\fieldwork-gui.exe
UninstallDisplayName=Fieldwork {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
; Close a running Fieldwork before replacing its files.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "association"; Description: "Open .fieldwork workspaces with Fieldwork"; GroupDescription: "File types:"

[InstallDelete]
; A previous version's libraries must not linger beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Fieldwork"; Filename: "{app}\fieldwork-gui.exe"; Comment: "Case assessment for probation inspections"
Name: "{autodesktop}\Fieldwork"; Filename: "{app}\fieldwork-gui.exe"; Tasks: desktopicon

[Registry]
; HKA is HKCU for a per-user install and HKLM for an all-users one.
Root: HKA; Subkey: "Software\Classes\.fieldwork\OpenWithProgids"; ValueType: string; ValueName: "Fieldwork.Workspace"; ValueData: ""; Flags: uninsdeletevalue; Tasks: association
Root: HKA; Subkey: "Software\Classes\Fieldwork.Workspace"; ValueType: string; ValueName: ""; ValueData: "Fieldwork workspace"; Flags: uninsdeletekey; Tasks: association
Root: HKA; Subkey: "Software\Classes\Fieldwork.Workspace\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\fieldwork-gui.exe,0"; Tasks: association
Root: HKA; Subkey: "Software\Classes\Fieldwork.Workspace\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\fieldwork-gui.exe"" open ""%1"""; Tasks: association

[Run]
Filename: "{app}\fieldwork-gui.exe"; Description: "{cm:LaunchProgram,Fieldwork}"; Flags: nowait postinstall skipifsilent
