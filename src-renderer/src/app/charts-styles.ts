// The charts' stylesheet, as a module of its own so the Performance screen's loader can
// import() it (screen-registry.tsx): the build turns it into a stylesheet fetched with that
// screen, and it lands after Mantine core's, as the charts require.
import '@mantine/charts/styles.css';
