'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/** Parts of concatenated SMS waiting for their siblings (SmppPart). */
class Migration0004_smpp_part extends Migration {

  async up() {
    this.addSql(`create table \`smpp_part\` (\`id\` text not null, \`provider\` text not null, \`part_key\` text not null, \`group_key\` text not null, \`total\` integer not null, \`seq\` integer not null, \`from_number\` text not null, \`sender_unreadable\` integer not null default false, \`to_number\` text not null, \`text\` text not null, \`country\` text not null, \`operator\` text null, \`claim_id\` text null, \`passed_as\` text null, \`claimed_at\` datetime null, \`passed_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`smpp_part_created_at_index\` on \`smpp_part\` (\`created_at\`);`);
    this.addSql(`create index \`smpp_part_claim_id_index\` on \`smpp_part\` (\`claim_id\`);`);
    this.addSql(`create index \`smpp_part_provider_group_key_index\` on \`smpp_part\` (\`provider\`, \`group_key\`);`);
    this.addSql(`create unique index \`smpp_part_provider_part_key_unique\` on \`smpp_part\` (\`provider\`, \`part_key\`);`);
  }

}
exports.Migration0004_smpp_part = Migration0004_smpp_part;
