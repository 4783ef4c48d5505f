@echo off
rem ops-console, as installed with the desktop app: the same core and CLI, run by the
rem app's own Electron as plain Node (ELECTRON_RUN_AS_NODE). Lives in <app>\resources\cli.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\ops-console-desktop.exe" "%~dp0..\app.asar\bin\ops-console.cjs" %*
exit /b %ERRORLEVEL%
