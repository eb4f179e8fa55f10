; Inno Setup 6 script: the Windows installer of the one-folder bundle (see packaging/README.md, "Windows").
;
;   uv run python packaging\build.py --no-archive
;   iscc /DAppVersion=0.1.0 packaging\windows\insighta-desktop.iss
;       -> dist\insighta-desktop-0.1.0-windows-x86_64-setup.exe
;
; Signed: sign the two programs first (signtool, see README), then let Inno Setup sign the installer and the
; uninstaller with a sign tool named "signtool":
;   iscc /DAppVersion=0.1.0 /DSign "/Ssigntool=signtool.exe sign /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 /a $f" packaging\windows\insighta-desktop.iss

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=0.1.0 packaging\windows\insighta-desktop.iss
#endif
#define AppName "Insighta Desktop"
#define AppExe "insighta-desktop.exe"
#define Bundle "..\..\dist\insighta-desktop"

[Setup]
; The AppId identifies the app across versions (upgrades replace it); never change it.
AppId={{6F899781-7B33-5B73-BCBF-E89BAB3D22F7}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Insighta
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default (no administrator needed); the dialog offers an all-users install.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=insighta-desktop-{#AppVersion}-windows-x86_64-setup
SetupIconFile=..\..\resources\icons\insighta.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
ChangesEnvironment=yes
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the insighta command to PATH"; Flags: unchecked

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Double-clicking a review pack opens it: insighta-desktop.exe PACK.
Root: HKA; Subkey: "Software\Classes\.insighta-pack"; ValueType: string; ValueName: ""; ValueData: "InsightaDesktop.ReviewPack"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.insighta-pack"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-insighta-pack"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\InsightaDesktop.ReviewPack"; ValueType: string; ValueName: ""; ValueData: "Insighta review pack"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\InsightaDesktop.ReviewPack\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\InsightaDesktop.ReviewPack\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""
; insighta:// links open the app (insighta-desktop.exe LINK).
Root: HKA; Subkey: "Software\Classes\insighta"; ValueType: string; ValueName: ""; ValueData: "URL:Insighta link"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\insighta"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\insighta\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\insighta\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[UninstallDelete]
; Only the install folder: the user's data, settings and logs (%LOCALAPPDATA%\Insighta\…) and keychain entries stay.
Type: filesandordirs; Name: "{app}"

[Code]
{ The optional "insighta in PATH" task: the user's Path gets the install folder, and loses it on uninstall. }
const
  EnvKey = 'Environment';

function PathWithout(const Paths, Dir: string): string;
var
  Rest, Item: string;
  P: Integer;
begin
  Result := '';
  Rest := Paths + ';';
  while Rest <> '' do
  begin
    P := Pos(';', Rest);
    Item := Copy(Rest, 1, P - 1);
    Rest := Copy(Rest, P + 1, Length(Rest));
    if (Item <> '') and (CompareText(RemoveBackslashUnlessRoot(Item), RemoveBackslashUnlessRoot(Dir)) <> 0) then
    begin
      if Result <> '' then
        Result := Result + ';';
      Result := Result + Item;
    end;
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Paths: string;
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
  begin
    if not RegQueryStringValue(HKCU, EnvKey, 'Path', Paths) then
      Paths := '';
    Paths := PathWithout(Paths, ExpandConstant('{app}'));
    if Paths <> '' then
      Paths := Paths + ';';
    RegWriteExpandStringValue(HKCU, EnvKey, 'Path', Paths + ExpandConstant('{app}'));
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Paths: string;
begin
  if (CurUninstallStep = usPostUninstall) and RegQueryStringValue(HKCU, EnvKey, 'Path', Paths) then
    RegWriteExpandStringValue(HKCU, EnvKey, 'Path', PathWithout(Paths, ExpandConstant('{app}')));
end;
