// Renderer entry. Browser mode and the desktop window load the same bundle; the typed
// client in ./api/client picks the transport.
import '@mantine/core/styles.css';
// The charts' styles come with the Performance screen's chunk (app/screen-registry.tsx).
import '@mantine/notifications/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
