import { Link } from 'react-router';
import { useQuery } from 'urql';
import { graphql } from '../../gql';

const MerchantNameDocument = graphql(`
  query MerchantName($id: ID!) {
    merchant(id: $id) {
      id
      name
    }
  }
`);

/** A merchant's name where only its id was recorded; for admins a link to its page. */
export function MerchantName({ id, link = false }: { id: string; link?: boolean }) {
  const [{ data }] = useQuery({ query: MerchantNameDocument, variables: { id } });
  const name = data?.merchant?.name;
  if (!name) return <span className="muted">a merchant</span>;
  return link ? <Link to={`/admin/merchants/${id}`}>{name}</Link> : <>{name}</>;
}
