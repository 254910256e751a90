const http = require('http');

const server = http.createServer((req, res) => res.end(server.notes));
server.listen(8080);

module.exports = server;
