// Mantine's whole stylesheet, loaded with every screen's chunk (screen-registry.tsx), so each
// screen has the styles of whatever component it draws. It repeats the start-up subset
// (./startup-styles.ts): since every rule's last copy is in this file, in Mantine's own order,
// the cascade is exactly what importing the whole stylesheet at start-up gave.
import '@mantine/core/styles.css';
