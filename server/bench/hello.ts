import http from 'node:http';

/** The floor of any HTTP scenario: bare node:http answering a fixed JSON body. */
const body = JSON.stringify({ data: { hello: 'world' } });
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
  })
  .listen(Number(process.env.PORT), () => console.log('ready'));
