// Placeholder: the SSH tunnel throughput benchmark (issue #21) is being written.
console.log(JSON.stringify({ pending: true }));
