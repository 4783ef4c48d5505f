// Preload: exposes one intent-level function per contract operation (generated from the
// contract, so nothing can be called that is not declared there) plus the event
// subscription. Never ipcRenderer itself, fs, process or shell.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelFor, EVENT_CHANNEL, OP_NAMES, type AppEvent } from '../src-main/contract/operations';

const bridge: Record<string, unknown> = {};
for (const name of OP_NAMES) {
  bridge[name] = (input: unknown) => ipcRenderer.invoke(channelFor(name), input);
}
bridge.onEvent = (listener: (event: AppEvent) => void) => {
  const wrapped = (_event: IpcRendererEvent, payload: AppEvent) => listener(payload);
  ipcRenderer.on(EVENT_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  };
};

contextBridge.exposeInMainWorld('opsBridge', Object.freeze(bridge));
